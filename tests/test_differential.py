"""Seeded random programs, run with PyTorch 2.13 and with minigrad, must agree on everything a
person sees (tests/differential/programs.py says what is generated and what is compared).

``MINIGRAD_DIFFERENTIAL_PROGRAMS`` sets how many (1500 by default: 35-75 s on the shared 2-core CI machine);
the agreement rate is printed whether or not pytest captures output. A failure prints each
differing program shrunk to the lines that still differ, as code to paste.
"""

import os

import pytest

import minigrad
from tests.differential import programs

PROGRAMS = int(os.environ.get("MINIGRAD_DIFFERENTIAL_PROGRAMS", "1500"))

# What stays different is left out by programs.UNSUPPORTED (PyTorch's rewriting of a view's
# history after an in-place change inside a graph); README, "How minigrad matches PyTorch", lists it.


def test_random_programs_agree_with_pytorch(torch, capsys):
    agreed, left_out, failures = 0, 0, []
    for seed in range(PROGRAMS):
        program = programs.generate(seed)
        found = programs.differences(program, torch, minigrad)
        if found is None:  # what minigrad does not do (see programs.UNSUPPORTED)
            left_out += 1
        elif found:
            failures.append(program)
        else:
            agreed += 1
    compared = PROGRAMS - left_out
    with capsys.disabled():
        print(f"\ndifferential test: {agreed} of {compared} random programs agree with PyTorch "
              f"({agreed / max(compared, 1):.2%}); {left_out} left out (what minigrad does not do, "
              f"programs.UNSUPPORTED)")
    if failures:
        shown = [programs.reproducer(programs.shrink(program, torch, minigrad), torch, minigrad)
                 for program in failures[:3]]
        pytest.fail(f"{len(failures)} programs differ from PyTorch; the first, shrunk:\n\n" + "\n\n".join(shown))


def test_the_comparison_can_fail(torch):
    """A program whose outputs differ is reported, with its reproducer (the test is no tautology)."""
    program = programs.Program(0, [programs.Line("v = torch.tensor(2.0) * 3", target="v")], [])
    assert not programs.differences(program, torch, minigrad)

    class Skewed:  # minigrad with one wrong digit
        Tensor, nn = minigrad.Tensor, minigrad.nn

        @staticmethod
        def tensor(value):
            return minigrad.tensor(value + 1e-6)

    found = programs.differences(program, torch, Skewed)
    assert found and found[0][1] == "value"
    assert "v = torch.tensor(2.0) * 3" in programs.reproducer(program, torch, Skewed)
