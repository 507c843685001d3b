"""The course's data set: CGPA (out of 10) and whether the student was placed (1) or not (0)."""

ROWS = ((9.11, 1.0), (8.9, 1.0), (7.0, 0.0), (6.56, 1.0), (4.56, 0.0))
CGPA = [cgpa for cgpa, _ in ROWS]
PLACED = [placed for _, placed in ROWS]


def load(as_tensors=True):
    """``(cgpa, placed)``: two float32 tensors of five values (or plain lists)."""
    if not as_tensors:
        return list(CGPA), list(PLACED)
    from ..creation import tensor

    return tensor(CGPA), tensor(PLACED)
