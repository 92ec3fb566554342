import AsyncHTTPClient
import Testing
@testable import FeedbackRelay
