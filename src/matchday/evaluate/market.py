"""The betting market as a forecast: 1X2 probabilities per match from the long odds table.

The odds table is the store's (:meth:`matchday.data.store.Store.odds`): one row per quoted price with
columns ``match_id``, ``bookmaker``, ``market`` (``1x2``, ``ou``, ``ah``), ``selection``
(``home``/``draw``/``away`` for 1X2), ``line``, ``closing`` (bool) and ``price`` (decimal odds).

Which prices make "the market"
------------------------------
For every match the first *complete* 1X2 book (all three prices present and > 1) in this order:

* closing (:data:`CLOSING_SOURCES`): Pinnacle's closing prices (``PS``, football-data ``PSC*``), else
  the market average at close (``Avg``, ``AvgC*``, from 2019-20 on);
* pre-match (:data:`PRE_MATCH_SOURCES`): Pinnacle's pre-match prices (``PS``, ``PSH/D/A``, collected by
  football-data on Friday afternoon for weekend games and Tuesday afternoon for midweek games), else
  the market average (``Avg`` from 2019-20, ``BbAv`` = BetBrain average before).

Pinnacle first because it is the sharpest widely quoted book (lowest margin, highest limits, it does
not restrict winning customers), so its closing line is the usual efficiency yardstick; the average
is a fallback for the few matches Pinnacle did not quote. The ``bookmaker`` column of the output says
which source each match got.

Margin removal
--------------
Default :data:`DEFAULT_METHOD` = ``"shin"`` (Shin 1993, see :mod:`matchday.forecast.odds`). Reason: the
favourite-longshot bias is well documented in football odds, and the methods that model it (Shin, power)
predict better than proportional normalisation (Strumbelj 2014, *Int. J. Forecasting* 30:934-943; Clarke,
Kovalchik & Ingram 2017, *J. Gambling Business & Economics*). The difference is small for Pinnacle
(margin ~2-3%) and larger for the average book (~5-6%), where the fallback applies. The yardstick
should be the *best* honest reading of the market, not the easiest to beat. Checked on the seasons
before the backtest period (2012-13 to 2018-19, six leagues, 16,642 matches): mean RPS of Pinnacle's
closing prices 0.19686 multiplicative, 0.19682 Shin, 0.19681 power and additive; of the BetBrain
average (margin ~5%) 0.19778, 0.19762, 0.19759, 0.19759. Proportional normalisation is the worst in
every case; Shin, power and additive are within noise of each other. ``method`` takes any of
``multiplicative``, ``additive``, ``power`` and ``shin``; ``bench/bench_backtest.py`` prints the
market's RPS under each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from matchday.data.errors import DataError
from matchday.forecast.odds import METHODS, remove_margin

DEFAULT_METHOD: str = "shin"

CLOSING_SOURCES: tuple[tuple[str, bool], ...] = (("PS", True), ("Avg", True))
"""(bookmaker, closing) books tried in order for the closing market."""

PRE_MATCH_SOURCES: tuple[tuple[str, bool], ...] = (("PS", False), ("Avg", False), ("BbAv", False))
"""(bookmaker, closing) books tried in order for the pre-match market."""

MARKET_KINDS: dict[str, tuple[tuple[str, bool], ...]] = {"closing": CLOSING_SOURCES, "pre": PRE_MATCH_SOURCES}

MARKET_MODELS: dict[str, str] = {"market_close": "closing", "market_pre": "pre"}
"""Names under which the backtest reports each market kind."""

_ODDS_COLUMNS = ("match_id", "bookmaker", "market", "selection", "closing", "price")
_SELECTIONS = ("home", "draw", "away")


def _check_odds(odds: pd.DataFrame) -> None:
    if not isinstance(odds, pd.DataFrame):
        raise DataError("odds must be a pandas DataFrame", value=type(odds).__name__,
                        expected="the long odds table (Store.odds())")
    missing = [c for c in _ODDS_COLUMNS if c not in odds.columns]
    if missing:
        raise DataError("odds table lacks a column", column=missing[0],
                        expected="columns " + ", ".join(_ODDS_COLUMNS))


def one_x_two_books(odds: pd.DataFrame) -> pd.DataFrame:
    """Complete 1X2 books: one row per (match_id, bookmaker, closing) with columns home, draw, away.

    Only books with all three prices present and above 1 are kept (football-data leaves cells empty,
    and an incomplete book cannot be de-margined). A price quoted twice keeps its first value.
    """
    _check_odds(odds)
    one_x_two = odds.loc[odds["market"] == "1x2", ["match_id", "bookmaker", "closing", "selection", "price"]]
    one_x_two = one_x_two[one_x_two["selection"].isin(_SELECTIONS)]
    one_x_two = one_x_two.assign(closing=one_x_two["closing"].fillna(False).astype(bool),
                                 price=pd.to_numeric(one_x_two["price"], errors="coerce"))
    one_x_two = one_x_two.drop_duplicates(["match_id", "bookmaker", "closing", "selection"], keep="first")
    books = one_x_two.set_index(["match_id", "bookmaker", "closing", "selection"])["price"].unstack("selection")
    books = books.reindex(columns=list(_SELECTIONS))
    prices = books.to_numpy(dtype=float)
    complete = np.isfinite(prices).all(axis=1) & (prices > 1.0).all(axis=1)
    books = books[complete]
    books.columns.name = None
    return books.reset_index()


def market_probabilities(
    odds: pd.DataFrame,
    kind: str = "closing",
    *,
    method: str = DEFAULT_METHOD,
    sources: Sequence[tuple[str, bool]] | None = None,
    match_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Margin-free 1X2 probabilities of the market, one row per match.

    kind: ``"closing"`` (:data:`CLOSING_SOURCES`) or ``"pre"`` (:data:`PRE_MATCH_SOURCES`); ``sources``
    overrides the ordered list of ``(bookmaker, closing)`` books to try.
    method: margin removal (``shin`` default, see the module docstring).
    match_ids: keep only these matches (default: every match with a usable book).

    Columns: ``match_id``, ``p_home``, ``p_draw``, ``p_away`` (sum to 1), ``bookmaker`` and ``closing``
    (the book used), ``overround`` (booksum, 1.03 = 3% margin), ``parameter`` (the method's fitted
    parameter: booksum, additive shift, power exponent or Shin's insider share z). Matches with no
    usable book are absent.
    """
    if kind not in MARKET_KINDS:
        raise ValueError(f"market kind must be one of {', '.join(MARKET_KINDS)}; got {kind!r}")
    if method not in METHODS:
        raise ValueError(f"unknown margin method {method!r}; choose one of {', '.join(METHODS)}")
    order = list(sources) if sources is not None else list(MARKET_KINDS[kind])
    books = one_x_two_books(odds)
    if match_ids is not None:
        books = books[books["match_id"].isin(set(match_ids))]
    rank = {source: position for position, source in enumerate(order)}
    keys = list(zip(books["bookmaker"], books["closing"], strict=True))
    books = books.assign(_rank=[rank.get(key, -1) for key in keys])
    books = books[books["_rank"] >= 0].sort_values(["match_id", "_rank"], kind="stable")
    chosen = books.drop_duplicates("match_id", keep="first").reset_index(drop=True)
    prices = chosen[list(_SELECTIONS)].to_numpy(dtype=float)
    if len(chosen):
        removal = remove_margin(prices, method)
        probabilities, parameter = removal.probabilities, removal.parameter
    else:
        probabilities, parameter = np.empty((0, 3)), np.empty(0)
    return pd.DataFrame({
        "match_id": chosen["match_id"].to_numpy(),
        "p_home": probabilities[:, 0],
        "p_draw": probabilities[:, 1],
        "p_away": probabilities[:, 2],
        "bookmaker": chosen["bookmaker"].to_numpy(),
        "closing": chosen["closing"].to_numpy(dtype=bool),
        "overround": (1.0 / prices).sum(axis=1),
        "parameter": parameter,
    })
