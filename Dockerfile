# The newswire image: Airflow 3.3.2 (the version requirements.txt pins) with the
# pipeline's dependencies and the official stanza models baked in, so workers never
# download at run time. Built by docker-compose.yaml (`docker compose build`).
FROM apache/airflow:3.3.2-python3.11

USER root
# curl for health checks of the sample site; nothing else is needed from apt.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
USER airflow

WORKDIR /opt/airflow
COPY --chown=airflow:root requirements.txt constraints.txt /opt/newswire/
# torch first from PyTorch's CPU index: the PyPI wheel of the same version is a
# multi-GB CUDA build. "2.13.0+cpu" satisfies the "torch==2.13.0" pin below.
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install --no-cache-dir -r /opt/newswire/requirements.txt -c /opt/newswire/constraints.txt

# The pipeline package. docker-compose.yaml also mounts ./include over it, so a
# changed DAG or library needs no rebuild; PYTHONPATH puts it on sys.path.
COPY --chown=airflow:root include/ /opt/airflow/include/
ENV PYTHONPATH=/opt/airflow/include \
    NEWSWIRE_STANZA_DIR=/opt/newswire/stanza_models
# The official stanza models for Turkish and English, downloaded once at build time.
RUN python -m newswire models download
