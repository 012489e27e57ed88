"""The web dashboard and JSON API behind ``matchday serve``.

* :mod:`.services` - the ONE module that calls the computation (data, rules, models, forecast, simulate,
  decide, evaluate); every page and endpoint goes through it. It also holds the cache interface (questions
  keyed by their canonical text and the store's data fingerprint).
* :mod:`.jobs` - heavy questions (simulations) run once per distinct question in a bounded worker pool,
  with progress.
* :mod:`.charts` - server-made SVG charts from plain numbers.
* :mod:`.app` - the FastAPI application: the versioned JSON API (``/api/v1``) and the HTML pages.

Nothing here is imported by ``import matchday``; FastAPI, Jinja2 and uvicorn load only for ``serve``.
"""
