"""``check``: a small self-check for exercises: predict a number, type it, hear right or wrong and why."""

import html

import ipywidgets as widgets


def check(question, answer, explanation, tolerance=1e-3):
    """A question, a box for the student's number, a Check button and the verdict with its reason."""
    box = widgets.FloatText(description="your answer", style={"description_width": "initial"},
                            layout=widgets.Layout(width="240px"))
    button = widgets.Button(description="Check", button_style="info")
    verdict = widgets.HTML()

    def judge(_=None):
        guess = box.value
        if abs(guess - answer) <= tolerance * max(1.0, abs(answer)):
            verdict.value = f"<b style='color:#2e7d32'>Right!</b> {html.escape(explanation)}"
        else:
            verdict.value = (f"<b style='color:#b00020'>Not quite</b> ({html.escape(str(guess))}). "
                             f"{html.escape(explanation)}")
        return verdict.value

    button.on_click(judge)
    widget = widgets.VBox([widgets.HTML(f"<b>{html.escape(question)}</b>"), widgets.HBox([box, button]), verdict])
    widget.answer_box, widget.button, widget.verdict, widget.judge = box, button, verdict, judge
    return widget
