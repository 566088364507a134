"""Build corpus/border-watch-report-2021.pdf, the fictional NGO report of the Temoin demo corpus.

Run from the project root:  .venv/bin/python scripts/make_demo_pdf.py

The layout is done by hand (line breaking, page breaks, footnotes) so that footnotes land at the
foot of the page where their marker appears, markers are small raised numbers glued to the word
before them, and the output is byte-for-byte the same on every run (fixed creation date, no
text shaping, so no ligatures).

Body markup: [[footnote text]] puts an automatically numbered footnote marker at that point;
*words* are set in italics.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF

OUT = Path(__file__).resolve().parent.parent / "border-watch-report-2021.pdf"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

TITLE = "Shelter Under Pressure"
SUBTITLE = ("Evictions, confiscations and the denial of basic services to displaced people "
            "in Calais and Grande-Synthe, January–May 2021")
PUBLISHER = "Border Watch"
RUNNING_HEADER = "Border Watch · Shelter Under Pressure · 2021"
CREATED = datetime(2021, 6, 14, 9, 0, 0, tzinfo=timezone.utc)

# Page geometry, in millimetres.
PAGE_W, PAGE_H = 210, 297
LEFT, RIGHT, TOP, BOTTOM = 25, 25, 24, 22
TEXT_W = PAGE_W - LEFT - RIGHT
BODY = ("Serif", 10.5, 5.3)        # family, size (pt), line height (mm)
NOTE = ("Serif", 8, 3.6)
SUP_SIZE, SUP_LIFT = 6.5, 1.4      # marker size (pt), raise above the baseline (mm)
PARA_GAP, NOTE_GAP = 2.6, 1.0

# ---------------------------------------------------------------------------------------------
# The text of the report.  ("h", ...) heading, ("p", ...) paragraph, ("q", ...) indented
# quotation, ("li", ...) bullet item.
# ---------------------------------------------------------------------------------------------
SUMMARY = [
    ("h", "Summary"),
    ("p", "Between 1 January and 31 May 2021, Border Watch observers recorded 412 eviction operations "
          "at informal living sites in Calais and Grande-Synthe, an average of almost three a day. During "
          "these operations police officers, most often CRS units accompanied by a cleaning contractor, "
          "removed tents, sleeping bags and personal belongings from people who had nowhere else to go. "
          "Many of those affected were asylum seekers, unaccompanied children or families with young "
          "children.[[Border Watch field log, entries 2021-001 to 2021-412. The figures cover only operations "
          "witnessed by at least two observers; operations reported to us but not witnessed are excluded.]]"),
    ("p", "This report draws on those observations and on 63 interviews with displaced people, volunteers "
          "and local officials. It finds that repeated evictions, presented by the authorities as a way of "
          "preventing the formation of new “fixation points”, have kept several hundred people in a permanent "
          "state of exhaustion and insecurity, and have undermined access to the water, food and medical care "
          "that the courts have held the State must guarantee.[[See in particular Conseil d'État, 31 juillet "
          "2017, Commune de Calais, n° 412125, discussed in section 6 below.]]"),
    ("p", "Border Watch calls on the French authorities to end the systematic confiscation of shelter, to "
          "provide sufficient and unconditional emergency accommodation, and to allow independent observers "
          "to document police operations without obstruction."),
]

BODY_BLOCKS = [
    ("h", "1. Methodology"),
    ("p", "Border Watch has kept a daily observation presence in Calais since 2018 and in Grande-Synthe "
          "since the autumn of 2019.[[Border Watch is an independent association registered in Lille. It "
          "receives no government funding. Its observers are trained in human-rights documentation and in "
          "the safe handling of personal data.]] Teams of two or three volunteers attend eviction operations, "
          "note the time, place and number of officers and vehicles present, and record what is taken away. "
          "Where possible they photograph seized property, never the faces of the people concerned."),
    ("p", "Interviews were conducted in English, French, Arabic, Tigrinya and Pashto, with the help of "
          "volunteer interpreters. Every interviewee gave informed consent. Names have been replaced with "
          "pseudonyms, which appear in quotation marks, and details that could identify a person have been "
          "changed. Border Watch wrote to the Préfecture du Pas-de-Calais and to the Préfecture du Nord on "
          "3 May 2021, setting out our main findings and asking for comment. At the time of writing, only "
          "the Préfecture du Nord had replied, in a short letter summarised in section 3.[[Letter from the "
          "Préfecture du Nord to Border Watch, 21 May 2021, on file with Border Watch.]]"),

    ("h", "2. Evictions in Calais"),
    ("p", "In Calais, evictions followed a largely predictable cycle throughout the first five months of the "
          "year. Every 48 hours, usually between 7 and 9 a.m., police vans arrived at the main living sites "
          "near the hospital, along the canal and in the industrial area on the eastern edge of the town. "
          "People were told to leave with whatever they could carry; tents left behind were lifted by the "
          "contractor’s staff and thrown into a truck. Our observers repeatedly saw the same groups move a "
          "few hundred metres away, wait, and come back once the vehicles had gone."),
    ("p", "“Karim”, a 24-year-old from Sudan who had spent five months in Calais, described what this "
          "routine does to a person: “You never sleep properly. At five in the morning somebody shouts "
          "‘police’, you take your shoes and your phone and you run. When you come back the tent is gone. "
          "The next day the association gives you another tent, and two days later it is gone "
          "again.”[[Interviewed in Calais, 2 March 2021.]]"),
    ("p", "On 3 February 2021, during an operation near the rue des Verrotières, observers counted 27 tents "
          "and 41 sleeping bags taken away, on a morning when the thermometer carried by our team read "
          "−3 °C. The cold-weather plan had been triggered by the Préfecture the evening before, but the "
          "shelter it offered was more than 30 kilometres away and was served by a single bus, which left "
          "before most people had heard of it.[[Border Watch field log, entry 2021-071.]] Border Watch "
          "volunteer Tom Ashworth, who has observed evictions in Calais since 2019, said: “What struck me in "
          "February was how ordinary it had all become. Some officers would apologise, and then carry on. "
          "People asked where they were supposed to go, and nobody could tell them.”[[Interviewed in Calais, "
          "18 February 2021. Volunteers are named with their consent.]]"),
    ("p", "Belongings taken during evictions are in principle kept at a depot, where their owners may "
          "reclaim them. In practice, of the 96 people who told Border Watch that they had tried to recover "
          "property between January and May, only 11 said they had found anything at all, and fewer still "
          "had got back identity papers, medical prescriptions or phone chargers.[[Border Watch questionnaire "
          "conducted at food distributions between 1 and 15 May 2021 (n = 214).]] “Amina”, a 31-year-old "
          "woman from Iraqi Kurdistan travelling with her two children, lost the family’s asylum documents "
          "during an operation in mid-March 2021. “I asked the officer to wait so I could take the bag with "
          "the papers. He said it was not possible. I went to the depot three times. Each time they told me "
          "there was no bag,” she said.[[Interviewed in Calais, 24 March 2021.]]"),
    ("p", "Children travelling alone were not spared. “Yonas”, a 17-year-old from Eritrea, told Border Watch "
          "that officers had taken his sleeping bag four times in two weeks, and that nobody had asked his "
          "age or told him that he could be placed in a home for minors: “They see a boy. They don’t ask. "
          "For them I am the same as everybody.”[[Interviewed in Calais, 11 April 2021. Border Watch referred "
          "“Yonas”, with his agreement, to a child-protection association the same day.]] Under French law, "
          "an unaccompanied child found on the territory is entitled to emergency shelter and assessment by "
          "the départements’ child-welfare services, whatever his or her immigration status."),

    ("h", "3. Grande-Synthe and the Dunkirk area"),
    ("p", "In Grande-Synthe, on the outskirts of Dunkirk, the situation differed in scale rather than in "
          "kind. Several hundred people, many of them Kurdish families, lived in woodland and in a disused "
          "warehouse close to the canal. Large operations took place roughly once a week. They usually "
          "combined an offer of “sheltering”, in which people were invited to board buses to reception "
          "centres elsewhere in the region, with the dispersal of everyone who declined."),
    ("p", "Several interviewees said that they had accepted a seat on the bus, only to return to Grande-Synthe "
          "within days, because the centre offered no prospect of a decision on their situation or because "
          "they had been separated from relatives.[[Interviewed in Grande-Synthe, 9, 11 and 14 March 2021.]] "
          "“Hassan”, a 40-year-old from Afghanistan, said: “They took us to a place near Arras. It was warm, "
          "the food was good. But after ten days they said: you must ask asylum here, or you leave. My brother "
          "is in England. So I came back.”[[Interviewed in Grande-Synthe, 14 March 2021.]]"),
    ("p", "Families with young children were hit particularly hard by the destruction of shelter. On 17 April "
          "2021, after an operation near the Puythouck lake, Border Watch observers found a family of five, "
          "including a four-month-old baby, sitting by the road with no tent and no blankets. The emergency "
          "accommodation line, 115, was called three times that evening; each time the family was told that "
          "no place was available.[[Border Watch field log, entry 2021-318; notes of the calls made by the "
          "observer are on file.]]"),
    ("p", "In its letter of 21 May 2021, the Préfecture du Nord told Border Watch that every operation in "
          "Grande-Synthe was accompanied by an offer of accommodation, that 1,870 people had been sheltered "
          "in this way since January, and that “no one is left without a solution who wishes to accept one”. "
          "The letter did not address the seizure of tents and personal belongings, nor the situation of "
          "those who return."),

    ("h", "4. Water, food and sanitation"),
    ("p", "The services available to people living outside remained well below what the courts have required. "
          "In Calais, water was available at two points for a few hours a day; one of them was moved twice "
          "during the period under review without notice to the associations that direct people to it. "
          "Showers were available by appointment only, with an average wait of nine days in April. In "
          "Grande-Synthe, there was no permanent water point on the main living site between January and "
          "mid-April 2021, when the municipality installed a temporary tank."),
    ("p", "Meals provided by the State-mandated operator were distributed once a day in Calais. Distributions "
          "organised by independent groups were obstructed on several occasions: on 9 and 10 March 2021, vans "
          "belonging to the Collectif Dunes Solidaires were stopped and searched, and two of its volunteers "
          "were fined for breaching a prefectoral order restricting food distributions in parts of the town "
          "centre.[[Orders (arrêtés) of the Préfet du Pas-de-Calais prohibiting free food distributions in "
          "defined areas of Calais have been renewed at regular intervals since September 2020.]] "
          "“Mariam”, a volunteer cook with the collective, told us: “We are not asking for anything. We bring "
          "soup. And we are treated as if we were the problem.”[[Interviewed in Calais, 12 March 2021. "
          "“Mariam” asked us not to use her real name.]]"),

    ("h", "5. Pressure on volunteers and observers"),
    ("p", "Volunteers who document evictions or distribute aid reported being checked, fined and held at a "
          "distance during operations. Between January and May 2021, Border Watch recorded 58 identity checks "
          "of its own observers and 19 fines, most of them for breaching lockdown or curfew rules on the way "
          "to or from a site, even when the observers carried the certificate issued to humanitarian "
          "associations.[[Border Watch incident register, January–May 2021.]] On at least 30 occasions, "
          "observers were kept more than 100 metres from an operation by a security perimeter, which made it "
          "impossible to see what was being taken. Similar practices in Calais were documented by Human Rights "
          "Watch in 2017, and the Défenseur des Droits has on several occasions expressed concern at the "
          "obstacles placed in the way of people who provide humanitarian help to exiles."),

    ("h", "6. The legal standards"),
    ("p", "The obligations of the State are not in dispute. In July 2017 the Conseil d'État, hearing an appeal "
          "by the municipality of Calais and the Minister of the Interior, upheld an order requiring the "
          "authorities to install water points, latrines and showers for people sleeping rough in Calais. It "
          "found that the living conditions of those people exposed them to inhuman or degrading treatment, "
          "and that the failure of the authorities to act seriously and manifestly infringed a fundamental "
          "freedom.[[Conseil d'État, 31 juillet 2017, n° 412125. The summary judge of the Tribunal administratif "
          "de Lille had made the initial order on 26 June 2017.]] On 12 April 2021, in proceedings brought "
          "by the Legal Shelter Network and the Collectif Dunes Solidaires, the summary judge of the Tribunal "
          "administratif de Lille ordered the Préfet du Pas-de-Calais to open two additional water points and to extend access "
          "to showers within ten days.[[Tribunal administratif de Lille, juge des référés, ordonnance du 12 "
          "avril 2021, n° 2101234.]] By the end of May, our observers had seen the new water points but no "
          "increase in shower capacity."),
    ("p", "The same standard follows from the European Convention on Human Rights. In *M.S.S. v. Belgium and "
          "Greece*, the European Court of Human Rights held that leaving an asylum seeker to live in the street "
          "for months, with no means of meeting his most basic needs, reached the threshold of Article "
          "3.[[European Court of Human Rights, *M.S.S. v. Belgium and Greece* [GC], no. 30696/09, 21 January "
          "2011, §§\u00a0249–264.]] Under the Reception Conditions Directive, asylum seekers are entitled to "
          "material reception conditions from the moment they apply, and UNHCR has repeatedly urged France "
          "to make accommodation available before, and not after, people are removed from the places where "
          "they live.[[Directive 2013/33/EU of the European Parliament and of the Council of 26 June 2013 "
          "laying down standards for the reception of applicants for international protection, Articles 17 "
          "and 18.]]"),

    ("h", "7. Recommendations"),
    ("p", "Border Watch calls on:"),
    ("li", "the Préfet du Pas-de-Calais and the Préfet du Nord to stop the seizure of tents, sleeping bags "
           "and personal belongings, and to return confiscated documents within 48 hours;"),
    ("li", "the Ministry of the Interior to ensure that no eviction takes place without an individual offer "
           "of accommodation suited to each person’s situation, including that of families and children;"),
    ("li", "the authorities to comply in full with the orders of the administrative courts on water, "
           "sanitation and showers, and to publish the measures taken;"),
    ("li", "the police to allow independent observers, lawyers and journalists to watch operations at a "
           "reasonable distance, and to stop fining volunteers for doing so."),
    ("p", "Border Watch · contact: report@borderwatch.example.org · Lille, June 2021"),
]


# ---------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------
class Report(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4", unit="mm")
        self.set_auto_page_break(False)
        self.set_margins(LEFT, TOP, RIGHT)
        for family, stem in (("Serif", "DejaVuSerif"), ("Sans", "DejaVuSans")):
            self.add_font(family, "", FONT_DIR / f"{stem}.ttf")
            self.add_font(family, "B", FONT_DIR / f"{stem}-Bold.ttf")
        self.add_font("Serif", "I", FONT_DIR / "DejaVuSerif-Italic.ttf")
        self.notes_on_page: list[tuple[int, list]] = []
        self.note_count = 0
        self.y_pos = TOP

    # -- page furniture ------------------------------------------------------------------------
    def new_page(self) -> None:
        if self.page:
            self.flush_notes()
        self.add_page()
        self.notes_on_page = []
        self.y_pos = TOP
        if self.page > 1:
            self.set_font("Sans", "", 7.5)
            self.set_text_color(90)
            self.text(LEFT, 14, RUNNING_HEADER)
            self.set_draw_color(150)
            self.set_line_width(0.2)
            self.line(LEFT, 16, PAGE_W - RIGHT, 16)
        self.set_font("Sans", "", 8)
        self.set_text_color(90)
        num = str(self.page)
        self.text((PAGE_W - self.get_string_width(num)) / 2, PAGE_H - 11, num)
        self.set_text_color(0)

    def notes_height(self, notes: list) -> float:
        if not notes:
            return 0.0
        return 4.0 + sum(len(lines) * NOTE[2] + NOTE_GAP for _, lines in notes)

    def flush_notes(self) -> None:
        notes = self.notes_on_page
        if not notes:
            return
        y = PAGE_H - BOTTOM - self.notes_height(notes) + 1.5
        self.set_draw_color(0)
        self.set_line_width(0.2)
        self.line(LEFT, y, LEFT + 45, y)
        y += 2.5
        for _, lines in notes:
            for line in lines:
                self.draw_line(LEFT, y + NOTE[2] - 0.9, line, NOTE[1])
                y += NOTE[2]
            y += NOTE_GAP

    # -- text ----------------------------------------------------------------------------------
    @staticmethod
    def styled(text: str, out: list) -> None:
        """Append the words of text (with *italics*) to out; a word is a list of (text, style) runs."""
        for i, chunk in enumerate(text.split("*")):
            style = "I" if i % 2 else ""
            for j, piece in enumerate(chunk.split(" ")):
                if j and out[-1]:
                    out.append([])
                if piece:
                    out[-1].append((piece, style))

    def words(self, text: str) -> list[list[tuple[str, str]]]:
        """Words of a body paragraph; each [[note]] becomes a numbered 'sup' run glued to the word before."""
        out: list[list[tuple[str, str]]] = [[]]
        for part in re.split(r"(\[\[.*?\]\])", text):
            if part.startswith("[["):
                self.note_count += 1
                out[-1].append((str(self.note_count), "sup"))
                self.pending_notes.append((self.note_count, part[2:-2]))
            else:
                self.styled(part, out)
        return [w for w in out if w]

    def run_width(self, text: str, style: str, size: float) -> float:
        if style == "sup":
            self.set_font(BODY[0], "", SUP_SIZE)
        else:
            self.set_font(BODY[0], style, size)
        return self.get_string_width(text)

    def wrap(self, words: list, width: float, size: float) -> list[list]:
        self.set_font(BODY[0], "", size)
        space = self.get_string_width(" ")
        lines, line, used = [], [], 0.0
        for word in words:
            w = sum(self.run_width(t, s, size) for t, s in word)
            if line and used + space + w > width:
                lines.append(line)
                line, used = [], 0.0
            used += (space if line else 0) + w
            line.append(word)
        if line:
            lines.append(line)
        return lines

    def draw_line(self, x: float, baseline: float, line: list, size: float, bold: bool = False) -> None:
        """Draw one line; runs of the same style (spaces included) are drawn as one string."""
        runs: list[list] = []
        for k, word in enumerate(line):
            for n, (t, s) in enumerate(word):
                if k and n == 0:
                    t = " " + t
                if runs and runs[-1][1] == s:
                    runs[-1][0] += t
                else:
                    runs.append([t, s])
        for t, s in runs:
            if s == "sup":
                self.set_font(BODY[0], "", SUP_SIZE)
                self.text(x, baseline - SUP_LIFT, t)
            else:
                self.set_font(BODY[0], "B" if bold else s, size)
                self.text(x, baseline, t)
            x += self.get_string_width(t)

    def paragraph(self, text: str, indent: float = 0, bullet: bool = False) -> None:
        self.pending_notes: list[tuple[int, str]] = []
        line_notes: list[list] = []
        words = self.words(text)
        if bullet:
            words.insert(0, [("•", "")])
        lines = self.wrap(words, TEXT_W - indent, BODY[1])
        # Which footnotes start on which line, and how each footnote wraps.
        queue = list(self.pending_notes)
        for line in lines:
            nums = [int(t) for word in line for t, s in word if s == "sup"]
            found = []
            for num in nums:
                note_num, note_text = queue.pop(0)
                assert note_num == num
                # The number opens the note's first line; following lines are flush left, so that
                # text extractors keep a note together as one block.
                note_words: list = [[(str(num), "")], []]
                self.styled(note_text, note_words)
                found.append((num, self.wrap(note_words, TEXT_W, NOTE[1])))
            line_notes.append(found)
        for line, notes in zip(lines, line_notes):
            needed = BODY[2] + self.notes_height(self.notes_on_page + notes)
            if self.y_pos + needed > PAGE_H - BOTTOM:
                self.new_page()
            baseline = self.y_pos + BODY[2] - 1.3
            self.draw_line(LEFT + indent, baseline, line, BODY[1])
            self.notes_on_page.extend(notes)
            self.y_pos += BODY[2]
        self.y_pos += PARA_GAP

    def heading(self, text: str) -> None:
        # Keep a heading with at least three lines of what follows.
        if self.y_pos + 9 + 3 * BODY[2] + self.notes_height(self.notes_on_page) > PAGE_H - BOTTOM:
            self.new_page()
        self.y_pos += 2.5
        self.set_font("Sans", "B", 12.5)
        self.set_text_color(20, 60, 100)
        self.text(LEFT, self.y_pos + 5, text)
        self.set_text_color(0)
        self.y_pos += 9

    def render(self, blocks: list) -> None:
        for kind, text in blocks:
            if kind == "h":
                self.heading(text)
            elif kind == "li":
                self.paragraph(text, indent=4, bullet=True)
            else:
                self.paragraph(text)

    def cover(self) -> None:
        self.set_font("Sans", "B", 11)
        self.set_text_color(20, 60, 100)
        self.text(LEFT, 40, "BORDER WATCH")
        self.set_font("Sans", "B", 26)
        self.set_text_color(0)
        self.text(LEFT, 58, TITLE)
        self.set_font("Sans", "", 12)
        self.set_xy(LEFT, 64)
        self.multi_cell(TEXT_W, 6, SUBTITLE, align="L")
        self.set_font("Sans", "", 10)
        self.set_text_color(90)
        self.text(LEFT, 88, "Report · June 2021")
        self.set_text_color(0)
        self.set_draw_color(20, 60, 100)
        self.set_line_width(0.6)
        self.line(LEFT, 94, PAGE_W - RIGHT, 94)
        self.y_pos = 100


def build() -> bytes:
    pdf = Report()
    pdf.set_title(f"{TITLE}: {SUBTITLE}")
    pdf.set_author(PUBLISHER)
    pdf.set_subject("Evictions and access to basic services at the northern French border, 2021")
    pdf.set_keywords("Calais, Grande-Synthe, evictions, human rights, asylum, France")
    pdf.set_creator("Border Watch")
    pdf.set_lang("en")
    pdf.set_creation_date(CREATED)
    pdf.new_page()
    pdf.cover()
    pdf.render(SUMMARY)
    pdf.render(BODY_BLOCKS)
    pdf.flush_notes()
    return bytes(pdf.output())


if __name__ == "__main__":
    data = build()
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data)} bytes)")
