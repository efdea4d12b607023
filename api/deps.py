"""Dependencies shared by the routes."""

from __future__ import annotations

from typing import Annotated

from elasticsearch import Elasticsearch
from fastapi import Depends, Request

from vnopinion.settings import Settings


def get_es(request: Request) -> Elasticsearch:
    es: Elasticsearch = request.app.state.es
    return es


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


EsDep = Annotated[Elasticsearch, Depends(get_es)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
