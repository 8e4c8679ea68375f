"""The runnable examples in docstrings stay runnable."""

import doctest
import importlib

import pytest

MODULES = ["newsloom.weave", "newsloom.index", "newsloom.store", "newsloom.embed", "newsloom.embed.use_cache",
           "newsloom.embed.head", "newsloom.clean", "newsloom.entities.gazetteer"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no runnable example"
