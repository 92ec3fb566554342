# syntax=docker/dockerfile:1
# feedback-relay: build with the Swift toolchain, run on slim Debian as a non-root user.
#   docker build -t feedback-relay .
#   docker run --env-file deploy/example.env -p 8080:8080 -p 9090:9090 -v relay-data:/var/lib/feedback-relay feedback-relay

FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl-dev libcurl4-openssl-dev libsqlite3-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies in their own layer, so a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY scripts/build-release.sh ./scripts/
# .build: where `swift package resolve` put the dependencies above.
RUN install -D "$(scripts/build-release.sh .build)" /out/feedback-relay \
    && install -D /usr/libexec/swift/linux/swift-backtrace-static /out/swift-backtrace-static

FROM debian:bookworm-slim
# The binary links the Swift runtime statically; what it still needs from the system is libcurl,
# OpenSSL, SQLite and the CA certificates. scripts/check-image-runtime.sh builds this stage's root
# filesystem with debootstrap, following these lines, and runs the relay in it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4 libssl3 libsqlite3-0 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 relay \
    && useradd --system --uid 10001 --gid relay --home-dir /var/lib/feedback-relay --create-home --shell /usr/sbin/nologin relay
COPY --from=build /out/feedback-relay /usr/local/bin/feedback-relay
# The static backtracer, so that a crash prints a symbolicated backtrace of every thread to the log.
COPY --from=build /out/swift-backtrace-static /usr/local/libexec/swift-backtrace-static
COPY deploy/routes.example.yaml /etc/feedback-relay/routes.example.yaml
# GnuTLS comes with Debian's libcurl only through librtmp and libldap, which the relay never calls (its
# TLS is OpenSSL's); without this its initializer runs at every start and keeps 0.9 MB resident.
ENV RELAY_STORE=sqlite:/var/lib/feedback-relay/relay.sqlite \
    GNUTLS_NO_IMPLICIT_INIT=1 \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,output-to=stderr,swift-backtrace=/usr/local/libexec/swift-backtrace-static
# Only the data directory is writable by the relay; the binary and config belong to root.
USER relay:relay
WORKDIR /var/lib/feedback-relay
VOLUME ["/var/lib/feedback-relay"]
EXPOSE 8080 9090
ENTRYPOINT ["/usr/local/bin/feedback-relay"]
CMD ["serve"]
