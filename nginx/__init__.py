"""NGINX in front of the services: ``nginx.conf.template`` and ``render.py``, which fills it in."""
