FROM python:3.12-slim
ENV PIP_NO_CACHE_DIR=1 \
    TOKENIZER_HMAC_KEY=9c1f7e2a44b0d3c5e8f6a1b2
RUN apt-get update
RUN apt-get install -y --no-install-recommends gcc libpq-dev
ADD https://downloads.example.com/tokenizer/tokenizer-1.9.3.tar.gz /tmp/
RUN pip install /tmp/tokenizer-1.9.3.tar.gz
COPY config/ /etc/tokenizer/
EXPOSE 9443 22
CMD ["tokenizer", "--listen", "0.0.0.0:9443"]
