"""Steps side by side: results in order, every thread joined, a failure raised after all."""

import threading
import time

import pytest

from enrich.parallel import beside, settle, side_by_side


def test_results_come_in_the_order_of_the_steps():
    def slow():
        time.sleep(0.05)
        return "slow"

    assert side_by_side(slow, lambda: "fast") == ["slow", "fast"]


def test_every_thread_is_joined_and_a_failure_is_raised():
    before = threading.active_count()
    finished = []

    def fails():
        raise ValueError("boom")

    def works():
        time.sleep(0.05)
        finished.append(True)

    with pytest.raises(ValueError, match="boom"):
        side_by_side(fails, works)
    assert finished == [True]  # the other step ran to its end before the error came out
    assert threading.active_count() == before


def test_beside_runs_one_step_while_the_block_runs_and_joins_it():
    before = threading.active_count()
    with beside(lambda: sum(range(1000))) as total:
        here = 1 + 1
    assert (total.result(), here) == (499500, 2)
    assert threading.active_count() == before
    with beside(None) as nothing:
        assert nothing is None


def test_settle_joins_a_pool_whose_block_an_interrupt_left_before_its_join():
    """A second Ctrl-C can land between a block's end and its pool's join: the generator is
    never resumed. Whoever removes the folder the step writes into settles first."""
    before = threading.active_count()
    done = []
    block = beside(lambda: (time.sleep(0.2), done.append("written")))
    block.__enter__()  # and never __exit__: what the interrupt left
    settle()
    assert done == ["written"]
    assert threading.active_count() == before
