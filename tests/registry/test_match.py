"""The registry's name block: the first letters of a name's first significant word, with
the accents and ligatures that ``fold`` takes off taken off the same way."""

import polars as pl
import pytest

from enrich.normalise.text import fold
from enrich.registry.match import name_block
from enrich.ruleset import Rules


@pytest.mark.parametrize(
    "name, block",
    [
        ("Brouwerij De Smet NV", "brou"),
        ("SA Électricité Générale", "elec"),
        ("Œuvres d'Art SPRL", "oeuv"),
        ("Ærø Shipping", "aero"),
        ("Straßenbau Müller GmbH", "stra"),
        ("ÇA IRA SARL", "ca"),
        ("Ñandú Import", "nand"),
    ],
)
def test_the_block_is_the_start_of_the_first_significant_word(name, block):
    assert pl.select(name_block(pl.lit(name))).item() == block


def test_the_block_folds_letters_as_fold_does():
    skip = set(Rules.load().get("registry")["name_match"]["skip"])
    names = ["Œnologie Dupont", "Ørsted A/S", "L'Éclair S.A.", "Groß & Co", "Ægir BV", "Ãlvaro Lda"]
    got = pl.select(name_block(pl.lit(pl.Series(names)))).to_series().to_list()
    for name, block in zip(names, got):
        folded = pl.select(fold(pl.lit(name))).item().replace("&", " ")
        words = [w for w in folded.split() if w not in skip]
        assert block == words[0][:4], name
