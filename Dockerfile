# vnopinion (API and monitor) as one image; docker-compose.yml runs it twice:
# `vnopinion serve` (the API and dashboard) and `vnopinion monitor` (the crawl service).
# Models are the artifacts trained in this repository (models/); nothing is downloaded at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VNOPINION_DATA_DIR=/var/lib/vnopinion \
    VNOPINION_MODELS_DIR=/app/models

WORKDIR /app
COPY . /app
# Editable: models/ and the dashboard's files stay where the code expects them.
RUN pip install -e . \
    && useradd --system --home-dir /var/lib/vnopinion --create-home vnopinion \
    && chown -R vnopinion /var/lib/vnopinion
USER vnopinion
VOLUME ["/var/lib/vnopinion"]
CMD ["vnopinion", "monitor"]
