"""The feedback page's accessibility fixes: a language, AA colours, underlined links.

The browser suite runs axe-core on real feedback pages (``test_browser_axe_pages.py``); these
fast checks pin what the fix does to a page, so a change to nbgrader's template or to the
kit's post-processing shows up without a browser.
"""

from __future__ import annotations

from mentor_workshop.facilitator.course import feedback_pages

PAGE = ("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\"/>\n<title>t</title>\n"
        "<style>a{color:#337ab7}</style>\n</head>\n<body><p>&lt;script&gt;</p>"
        "<a href=\"#x\">x</a></body>\n</html>\n")


def test_the_page_says_its_language_and_its_styles_come_last_in_the_head() -> None:
    page = feedback_pages._make_accessible(PAGE)
    assert '<html lang="en">' in page
    head = page[: page.index("</head>")]
    assert head.rindex("text-decoration: underline") > head.index("a{color:#337ab7}")
    # the body, and so what a participant typed (escaped by nbgrader's preprocessors), is
    # untouched
    assert page[page.index("<body>"):] == PAGE[PAGE.index("<body>"):]


def test_a_page_that_has_a_language_keeps_it() -> None:
    page = feedback_pages._make_accessible(PAGE.replace("<html>", '<html lang="fr">'))
    assert page.count("lang=") == 1 and '<html lang="fr">' in page


def _contrast(fg: str, bg: str) -> float:
    def lum(hex_colour: str) -> float:
        values = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((lum(fg), lum(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_new_colours_meet_wcag_aa_on_the_template_backgrounds() -> None:
    css = feedback_pages._ACCESSIBLE_CSS
    for colour in ("#1f5a8c", "#2f6262"):
        assert colour in css
        for background in ("#ffffff", "#f5f5f5"):  # the page and the code/panel greys
            assert _contrast(colour, background) >= 4.5, (colour, background)
    assert _contrast("#ffffff", "#1f5a8c") >= 4.5  # links on the blue panel headings
