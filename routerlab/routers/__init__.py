"""Routers: Request -> Decision. Import a router from its module (routerlab.routers.rules, ...)."""

from .base import RouteConstraints, Router

__all__ = ["Router", "RouteConstraints"]
