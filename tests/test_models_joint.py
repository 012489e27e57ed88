"""One scale across leagues: a joint fit of the domestic leagues and the UEFA matches, checked on real
UEFA matches it has not seen (2023-24 group stage, predicted from data before it started)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from matchday.data.store import Store
from matchday.evaluate.metrics import outcome_index, rps
from matchday.models import DixonColes

START = dt.date(2023, 9, 18)  # the Champions League group stage began on 19 September 2023


def test_joint_fit_forecasts_unseen_uefa_matches(synced_db):
    with Store(synced_db, read_only=True) as store:
        train = store.matches(None, ["2022-23", "2023-24"], played=True, until=START)
        uefa = store.matches(["UCL", "UEL", "UECL"], ["2023-24"], played=True, since=START, until=dt.date(2023, 12, 15))
    model = DixonColes().fit(train, as_of=START)
    known = np.isin(uefa["home"], model.teams_) & np.isin(uefa["away"], model.teams_)
    uefa = uefa[known]
    assert len(uefa) > 100
    p = model.predict_many(uefa["home"].to_numpy(), uefa["away"].to_numpy(), uefa["neutral"].to_numpy(),
                           uefa["competition"].to_numpy()).outcomes()
    y = outcome_index(uefa["home_goals"].to_numpy(), uefa["away_goals"].to_numpy())
    base = np.bincount(outcome_index(train["home_goals"].to_numpy(), train["away_goals"].to_numpy()), minlength=3)
    base_p = np.broadcast_to(base / base.sum(), p.shape)
    model_rps, base_rps = rps(p, y).mean(), rps(base_p, y).mean()
    # cross-league ratings carry real information about cross-league matches
    assert model_rps < base_rps - 0.02
