import Tracing

extension Span {
    /// Ends a span around a call to the feedback API with what the call came to.
    package func end(with result: UpstreamResult) {
        updateAttributes { attributes in
            if let status = result.status { attributes["http.response.status_code"] = status }
            if case .failed(nil, let detail, _) = result { attributes["error.type"] = detail }
        }
        if case .delivered = result {} else { setStatus(SpanStatus(code: .error)) }
        end()
    }
}
