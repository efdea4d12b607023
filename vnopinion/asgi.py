"""The API for uvicorn's worker processes (``vnopinion serve`` with ``api_workers`` > 1).

A worker process cannot be handed the settings object the CLI built, so each builds its own
from the environment and ``.env``, the same sources ``vnopinion`` read.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from vnopinion.settings import Settings
from vnopinion.vocabulary import load_vocabulary


def app_from_environment() -> FastAPI:
    return create_app(Settings(), load_vocabulary())
