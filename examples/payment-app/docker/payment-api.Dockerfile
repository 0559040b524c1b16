# syntax=docker/dockerfile:1.7
FROM registry.example.com/base/rust:1.95-bookworm@sha256:9a3b5c7d1e2f4a6b8c0d2e4f6a8b0c1d3e5f7a9b1c2d4e6f8a0b2c4d6e8f0a1b AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin payment-api

FROM gcr.io/distroless/cc-debian12:nonroot@sha256:6714977f9f02632c31377650c15d89a7efaebf43bab0f37c712c30fc01edb973
COPY --from=build /src/target/release/payment-api /app/payment-api
USER 10002:10002
EXPOSE 8443
HEALTHCHECK --interval=10s --timeout=2s CMD ["/app/payment-api", "healthcheck"]
ENTRYPOINT ["/app/payment-api"]
