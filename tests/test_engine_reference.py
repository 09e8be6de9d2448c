import numpy as np

from goldenbridge.engine.arrays import ActorArrays, Offers
from goldenbridge.engine.reference import utilities


def test_quadratic_utility_matches_closed_form():
    a = ActorArrays(
        weight=np.array([[0.25, 0.75]]),
        ideal=np.array([[0.0, 1.0]]),
        rho=np.array([2.0]),
        table=np.zeros((1, 0, 0)),
        reservation=np.zeros(1),
    )
    u = utilities(a, Offers(np.array([[0.5, 0.5]]), np.zeros((1, 0), np.int64)))
    assert u[0, 0] == 0.25 * (1 - 0.25) + 0.75 * (1 - 0.25)
