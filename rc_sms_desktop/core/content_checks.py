"""Does this text fit the sender's campaign and the carriers' common content rules?

RingCentral's SMS guide ends on a rule the API cannot check: "the message content must comply
with at least one of the campaign categories associated with that number". Carriers filter
texts that do not, and the user learns it only from a failed delivery. This module reads the
text before it leaves and says, as warnings the user may overrule (nothing here blocks sending):

- `content-outside-use-cases`: the text reads like a category (marketing, passcodes, alerts…)
  that the number's TCR campaign is not registered for, and which registered use cases would fit;
- `marketing-without-opt-out`: marketing without opt-out words ("Reply STOP to opt out");
- `public-url-shortener`: a link through a public shortener (bit.ly, tinyurl…);
- `restricted-content`: the categories carriers restrict on 10DLC and toll-free (SHAFT: sex,
  hate, alcohol, firearms, tobacco, and cannabis with them), naming the category;
- `toll-free-no-use-cases` (info): a toll-free number has no TCR campaign to compare with.

Recognition is a set of visible rules (weighted phrases per category, below), not a model: a
maintainer can read why a text was classed as it was (`Recognition.evidence`). Its accuracy is
measured on the labelled messages in tests/fixtures/content/ (tests/core/test_content_accuracy.py,
figures in BENCHMARKS.md).

Sources, for every rule below:
- RingCentral's SMS/MMS content policies, https://www.ringcentral.com/legal/sms-mms-content-policies.html
  ("Provide clear opt-out instructions on informational, marketing, or promotional messages",
  "Avoid using link shorteners and non-branded domains", the prohibited campaigns; opt-outs are
  managed automatically only on High Volume SMS);
- CTIA Messaging Principles and Best Practices (2019), §4 and §5 (opt-out, SHAFT content),
  https://api.ctia.org/wp-content/uploads/2019/07/190719-CTIA-Messaging-Principles-and-Best-Practices-FINAL.pdf
- the use-case catalogue in core/use_cases.py (TCR's campaign use cases as RingCentral names them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from rc_sms_desktop.core.eligibility import (
    LINK_TOLL_FREE,
    Fixer,
    Severity,
    Verdict,
    sender_sort_key,
)
from rc_sms_desktop.core.number_kinds import is_toll_free
from rc_sms_desktop.core.preflight import (
    NO_RECIPIENTS,
    PreflightProblem,
    blocking_reason,
    preflight,
)
from rc_sms_desktop.core.recipients import Recipient
from rc_sms_desktop.core.use_cases import USE_CASES, describe_use_case

__all__ = [
    "CATEGORY_USE_CASES",
    "CONTENT_OUTSIDE_USE_CASES",
    "MARKETING_WITHOUT_OPT_OUT",
    "PUBLIC_URL_SHORTENER",
    "RESTRICTED_CONTENT",
    "TOLL_FREE_NO_USE_CASES",
    "Category",
    "ContentCheck",
    "ContentFinding",
    "Fit",
    "Recognition",
    "Restricted",
    "SenderFit",
    "check_content",
    "content_problems",
    "judge_senders",
    "rank_senders",
    "recognise",
    "sender_refusal",
    "suggested_positions",
]

LINK_CONTENT_POLICY = "https://www.ringcentral.com/legal/sms-mms-content-policies.html"
LINK_CTIA = (
    "https://api.ctia.org/wp-content/uploads/2019/07/"
    "190719-CTIA-Messaging-Principles-and-Best-Practices-FINAL.pdf"
)

# Stable codes: tests, `send`'s JSON and `suggest-sender` key on these.
CONTENT_OUTSIDE_USE_CASES = "content-outside-use-cases"
MARKETING_WITHOUT_OPT_OUT = "marketing-without-opt-out"
PUBLIC_URL_SHORTENER = "public-url-shortener"
RESTRICTED_CONTENT = "restricted-content"
TOLL_FREE_NO_USE_CASES = "toll-free-no-use-cases"


class _Worded(StrEnum):
    """A StrEnum whose members also carry the words a finding uses for them, written beside
    them as `NAME = "value", "words"` (the enum HOWTO's custom `__new__`:
    https://docs.python.org/3/howto/enum.html#when-to-use-new-vs-init)."""

    words: str

    def __new__(cls, value: str, words: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.words = words
        return member


class Category(_Worded):
    """A kind of message the rules recognise, named like the TCR use case it belongs to."""

    MARKETING = "marketing", "marketing"
    PASSCODE = "passcode", "a one-time passcode"
    SECURITY = "security", "a security alert"
    FRAUD = "fraud", "a fraud alert"
    DELIVERY = "delivery", "a delivery notice"
    ACCOUNT = "account", "an account notice"
    POLLING = "polling", "a survey or poll"

# Which registered use cases cover each category (core/use_cases.py codes). Passcodes are
# `MachineToMachine` in RingCentral's catalogue ("sign-in codes and two-factor passcodes");
# TCR's Customer Care use case includes account management, so it covers account notices too.
CATEGORY_USE_CASES: dict[Category, tuple[str, ...]] = {
    Category.MARKETING: ("Marketing",),
    Category.PASSCODE: ("MachineToMachine",),
    Category.SECURITY: ("SecurityAlert",),
    Category.FRAUD: ("FraudAlert",),
    Category.DELIVERY: ("DeliveryNotification",),
    Category.ACCOUNT: ("AccountNotification", "CustomerCare"),
    Category.POLLING: ("PollingVoting",),
}

# A `Mixed` campaign covers 2-5 use cases chosen at registration that the API does not list, so
# the app cannot compare against it; an unknown value cannot be compared either.
_NOT_COMPARABLE = frozenset({"Mixed"})


class Restricted(_Worded):
    """Content carriers restrict (CTIA §5 "SHAFT", and cannabis/CBD, which carriers add)."""

    SEX = "sex", "sexual or adult content"
    HATE = "hate", "hate speech"
    ALCOHOL = "alcohol", "alcohol"
    FIREARMS = "firearms", "firearms or ammunition"
    TOBACCO = "tobacco", "tobacco or vaping"
    CANNABIS = "cannabis", "cannabis or CBD"


# ---------------------------------------------------------------------------------------------
# The rules: (pattern, weight) per category. A category is recognised when its weights reach
# _THRESHOLD; the strongest one is the text's main category. Weights of 1.0 are phrases that
# settle it alone; 0.5 ones need a second clue.

_THRESHOLD = 1.0


# One rule: patterns that must all match (most rules have one), and its weight.
_Rule = tuple[tuple[re.Pattern[str], ...], float]


def _rules(*pairs: tuple[str | tuple[str, ...], float]) -> tuple[_Rule, ...]:
    return tuple(
        (
            tuple(re.compile(p, re.IGNORECASE) for p in ((pattern,) if isinstance(pattern, str) else pattern)),
            weight,
        )
        for pattern, weight in pairs
    )


_CODE = r"(?:\b[A-Z]-?)?\b\d(?:[\s-]?\d){3,7}\b"
_DIGITS = r"(?<![#$\d.,])\b\d{4,8}\b(?![.,]\d)"
_IF_NOT_YOU = (r"\bif (?:this|it) (?:wasn'?t|was not) you\b|\bif you did(?:n'?t| not) "
               r"(?:do|make|request|approve) (?:this|it)\b|\bdidn'?t do this\b|\bwas this you\b")

_CATEGORY_RULES: dict[Category, tuple[_Rule, ...]] = {
    Category.MARKETING: _rules(
        (r"\b\d{1,2}\s?%\s?off\b|\$\d+(?:\.\d\d)?\s?off\b|\bhalf[- ]price\b|\bpercent off\b", 1.0),
        (r"\b(?:sales?|clearance|discounts?|coupons?|promo(?:tion)?s?|deals?|bogo|savings on|"
         r"lowest price)\b", 1.0),
        (r"\bbuy (?:one|1|2|two),? get (?:one|1)\b|\bfor the price of\b|\b\d for \$\d", 1.0),
        (r"\b(?:limited[- ]time|offer ends|while supplies last|last chance|don'?t (?:miss|wait)|"
         r"ends? (?:tonight|sunday|soon|today)|today only)\b", 1.0),
        (r"\b(?:get|with) (?:a |your )?free\b|\bfree (?:shipping|month|gift|trial|samples?)\b|"
         r"\bfirst month free\b|\bchance to win\b|\bgiveaways?\b", 1.0),
        (r"\b(?:from|for just|just|only) \$\d", 1.0),
        (r"\b(?:new arrivals|collection|just (?:dropped|arrived|landed)|back in stock|introducing|"
         r"loyalty|earn points|join today|refer a friend|0% financing|grand opening|upgrade to)\b", 1.0),
        (r"\b(?:black friday|cyber monday|flash deal|weekend special|special offer)\b", 1.0),
        (r"\b(?:exclusive|special|early access|save|early[- ]bird|members?)\b", 0.5),
        (r"\b(?:shop|order|book|sign up|reserve|join|visit)\w*\b(?: \w+)? (?:now|today|this "
         r"(?:week|weekend|month))\b", 0.5),
        (r"\bshop\b|\bstore\b|\bin stock\b|\bprices?\b|\bspecials?\b|\btickets?\b|\$\d", 0.5),
        (r"\b(?:now available|are here|restock|stop by|visit (?:us|the store)|come (?:in|see)|"
         r"great prices|bring your friends|tastings?|tour|night|brunch|class|waiting to|"
         r"click to|available 24/7|on tap|try our|all week)\b", 0.5),
    ),
    Category.PASSCODE: _rules(
        (r"\b(?:verification|security|confirmation|access|approval|reset|sign[- ]in|log[- ]?in|"
         r"authentication|2fa|two[- ]factor(?: authentication)?|one[- ]time|otp|temporary)\b"
         r"(?:\s+\w+){0,2}\s+(?:code|passcode|pin|password)\b", 1.0),
        ((r"\b(?:code|passcode|pin|otp)\b", _DIGITS), 1.0),
        (_CODE + r"\s+is your\b", 1.0),
        (r"\b(?:enter|use|verify\w*)\s+(?:\w+\s+){0,3}?(?:code\s*:?\s*)?" + _CODE, 0.75),
        (r"\b(?:do not|don'?t|never) share\b", 0.5),
        (r"\b(?:expires|valid) (?:in|for)\s+\d+\s*(?:min|minutes)\b|\(valid \d+ minutes\)", 0.5),
        (r"\botp\b|\bpasscode\b|\bone[- ]time\b|\bconfirm\b|\bverify\b", 0.25),
    ),
    Category.SECURITY: _rules(
        (r"\bsecurity (?:alert|notice|settings|questions?|vulnerabilit\w+|update|patch)\b|"
         r"\bphishing\b|\bmalware\b|\b(?:data )?breach\b|\bvulnerabilit\w+\b", 1.0),
        (r"\b(?:new|suspicious|unusual|blocked a) (?:sign[- ]in|log[- ]?in)\b|"
         r"\b(?:sign[- ]in|log[- ]?in)s? (?:attempts?|to your|from)\b|\bfailed (?:sign[- ]in|log[- ]?in)\b|"
         r"\btried to (?:sign|log) ?in\b|\blogin details\b|\bsigned you out\b", 1.0),
        (r"\b(?:unrecognized|unknown|new) (?:device|phone|computer|browser)\b|\bnew location\b|"
         r"\bnew (?:admin|user)\b.{0,20}\badded\b", 1.0),
        (r"\bpassword (?:was|has been) (?:changed|reset)\b|\bpassword (?:reset|change)\b|"
         r"\b(?:change|reset) it\b|\b(?:change|reset|update) your password\b|\bpassword will expire\b|"
         r"\bincorrect password\b|\bpassword attempts\b", 0.75),
        (r"\b(?:two|2)[- ]step verification was\b|\bapi key was\b|\brecovery phone\b|"
         r"\bemail address was changed\b|\baccount has been locked\b|\blocked it\b|\bblocked it\b", 1.0),
        (_IF_NOT_YOU + r"|\bsecure your account\b|\bfor your (?:safety|protection)\b", 0.5),
        (r"\bpassword\b|\bsign[- ]?in\b|\blog[- ]?in\b|\baccount\b|\bdevices?\b|\bIT\b", 0.25),
    ),
    Category.FRAUD: _rules(
        (r"\bfraud\w*\b|\bscam\w*\b|\bidentity theft\b|\bfake (?:invoices?|links?|calls?)\b", 1.0),
        (r"\b(?:suspicious|unusual|unauthori[sz]ed) (?:activity|transaction|charge|purchase|"
         r"wire transfer|transfer|withdrawal)\w*\b|\bsuspicious charge\b", 1.0),
        (r"\bcard (?:ending|x\d|number)\b|\bdebit card\b|\bcredit card\b", 0.5),
        (r"\bcard was (?:used|charged)\b|\bdid you (?:just )?(?:make|attempt|authori[sz]e|spend|buy)\b|"
         r"\bnot you\? reply\b|\bconfirm the (?:\$\d|charge)\b", 1.0),
        (r"\b(?:transactions?|charges?|purchases?|withdrawals?|payee|transfers?|check for|gift cards?)\b", 0.5),
        (r"\breply (?:yes|y|1)\b.{0,30}\b(?:no|n|2)\b", 0.5),
        (_IF_NOT_YOU, 0.25),
        (r"\batm\b", 0.75),
    ),
    Category.DELIVERY: _rules(
        (r"\b(?:has|have|was|were)(?: been)? (?:shipped|delivered|dropped off|mailed)\b|"
         r"\bships?\b|\bshipped\b|\bshipping (?:update|notice)\b|\bshipment\b|\bparcel\b", 1.0),
        (r"\bout for delivery\b|\btracking\b|\btrack it\b|\bon (?:its|the) way\b|"
         r"\bready (?:for|to be) pick(?:ed)?[- ]?up\b|\border is ready\b|\bcurbside\b|"
         r"\bdelivery date\b", 1.0),
        (r"\bpackage\b|\bgroceries\b|\bmoving truck\b", 0.75),
        (r"\bpost office\b|\bwarehouse\b", 0.5),
        (r"\bdeliver(?:y|ed|ing)?\b|\bpicked up\b", 0.75),
        (r"\b(?:arrive|arriving|arrival)\b|\bminutes away\b|\breach you\b|\bbring it out\b", 0.5),
        (r"\bcourier\b|\bdriver\b|\btechnician\b", 0.5),
        (r"\border\b", 0.25),
    ),
    Category.ACCOUNT: _rules(
        (r"\b(?:statement|invoice|balance|autopay|past[- ]due|payment (?:of|is due|failed)|"
         r"your bill|bill for)\b", 1.0),
        (r"\b(?:renews?|renewal)\b", 0.5),
        (r"\b(?:expires?|expire)\b", 0.5),
        (r"\busage\b|\bbill(?:ing)?\b|\binsurance\b|\bportal\b|\bprofile\b", 0.5),
        (r"\bappointment\b|\breservation\b|\bmembership\b|\bsubscription\b|\bfree trial\b|\blease\b", 0.75),
        (r"\byour (?:account|plan|policy|claim|enrollment|refund|loan application|service|"
         r"order|profile|library)\b", 0.75),
        (r"\b(?:is|has been|are|was|will be) (?:confirmed|approved|processed|updated|upgraded|"
         r"active|complete|cancell?ed|closed|rescheduled|charged)\b|\bhas been credited\b|"
         r"\bwe received your payment\b|\bready to sign\b|\b\d+% complete\b", 0.5),
        (r"\bis due\b|\bdue (?:on|for|back)\b|\breminder\b", 0.5),
    ),
    Category.POLLING: _rules(
        (r"\bsurvey\b|\bpoll\b|\bvot(?:e|ing)\b|\bfeedback\b|\bquick question\b", 1.0),
        (r"\b(?:rate|rating)\b.{0,40}\b\d+\s*(?:\(|to|-)\s*\d+\b|"
         r"\b(?:from )?\d+\s*(?:\(\w+(?: \w+)?\))?\s*to\s*\d+\b|\bscale of\b|\bup to \d+ for\b", 0.75),
        (r"\bhow (?:likely|satisfied|would you rate|did we do|easy|was)\b|\bhow would you rate\b|"
         r"\bwould you recommend\b|\b(?:do|would) you prefer\b", 1.0),
        (r"\brate (?:your|us|today)\w*\b", 0.75),
        (r"\banswer \d+ (?:quick )?questions?\b|\btell us about\b|\bshare your thoughts\b", 0.75),
        (r"\breply (?:a|1|yes|y|am)\b.{0,40}\b(?:b|2|no|n|pm)\b|\breply 1-5\b|\(1-5\)", 0.5),
        (r"\byour opinion\b|\btell us what you think\b|\bwhich (?:day|date|workshop|topic|\w+ should)\b|"
         r"\bwould you (?:attend|prefer)\b|\bwere you happy\b|\bwas your issue resolved\b", 0.75),
    ),
}

_RESTRICTED_RULES: dict[Restricted, re.Pattern[str]] = {
    Restricted.SEX: re.compile(
        r"\b(?:xxx|porn\w*|nudes?|naked|sexy|escorts?|sex toys?|adult (?:toys|store|videos|content|"
        r"site)|hot singles|hookups?|lingerie|erotic\w*|camgirls?|onlyfans)\b", re.IGNORECASE),
    Restricted.HATE: re.compile(
        r"\b(?:your kind|people like you|go back where you came from|keep (?:our town white|them out)|"
        r"vermin|disease on|no foreigners|death to (?:the )?\w+|all immigrants are|subhuman|"
        r"white power|infidels)\b", re.IGNORECASE),
    Restricted.ALCOHOL: re.compile(
        r"\b(?:beers?|wines?|pinot\s\w+|champagne|vodka|tequila|whiske?y|bourbons?|margaritas?|"
        r"mimosas?|cocktails?|liquor|brewery|ipas?|happy hour|spirits|cider|pints?|on tap|ales?|"
        r"lagers?|rum|gin|sake|booze)\b", re.IGNORECASE),
    Restricted.FIREARMS: re.compile(
        r"\b(?:guns?|gun show|rifles?|pistols?|handguns?|shotguns?|firearms?|ammo|ammunition|"
        r"ar-15|concealed carry|shooting range|range day|9mm|\.22\d?|rounds of)\b", re.IGNORECASE),
    Restricted.TOBACCO: re.compile(
        r"\b(?:cigars?|cigarettes?|e-cigarettes?|tobacco|vap(?:e|es|ing)|hookah|shisha|"
        r"nicotine|juul|smoking|smoke shop|rolling papers)\b", re.IGNORECASE),
    Restricted.CANNABIS: re.compile(
        r"\b(?:cannabis|marijuana|cbd|thc|dispensary|edibles|pre-?rolls?|strains?|delta-8|"
        r"hemp|weed|420|kush)\b", re.IGNORECASE),
}

# "Reply STOP to opt out" and its usual variants (CTIA §4: STOP, END, CANCEL, UNSUBSCRIBE, QUIT).
_OPT_OUT = re.compile(
    r"\b(?:reply|text|txt|send|msg)\s+[\"'“]?(?:stop|end|cancel|unsubscribe|quit|stopall)\b|"
    r"\bopt[- ]?out\b|\bunsubscribe\b|\bstop to (?:end|cancel|opt|quit|unsubscribe|stop)\b",
    re.IGNORECASE,
)

# Public URL shorteners carriers commonly filter (RingCentral: "Avoid using link shorteners and
# non-branded domains"). A branded short domain of the sender's own is fine.
PUBLIC_SHORTENERS = frozenset({
    "bit.ly", "bitly.com", "j.mp", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "v.gd",
    "buff.ly", "rebrand.ly", "cutt.ly", "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "bl.ink",
    "s.id", "shorte.st", "adf.ly", "lnkd.in", "soo.gd", "bit.do", "tr.im", "qrco.de", "clck.ru",
})
_HOST = re.compile(
    r"(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?=[/\s:?#.,!)]|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Recognition:
    """What the rules saw in a text: its categories (strongest first), restricted content, the
    public shorteners it links through, whether it says how to opt out, and the matched words."""

    categories: tuple[Category, ...]
    restricted: tuple[Restricted, ...]
    shorteners: tuple[str, ...]
    has_opt_out: bool
    evidence: dict[str, tuple[str, ...]]

    @property
    def main(self) -> Category | None:
        return self.categories[0] if self.categories else None


def recognise(text: str) -> Recognition:
    """Apply the rules to `text` (pure; about 0.1 ms for a message of a few hundred characters)."""
    restricted: list[Restricted] = []
    evidence: dict[str, tuple[str, ...]] = {}
    for kind, pattern in _RESTRICTED_RULES.items():
        match = pattern.search(text)
        if match is not None:
            restricted.append(kind)
            evidence[str(kind)] = (match.group(0),)
    scores: list[tuple[float, int, Category]] = []
    for order, (category, rules) in enumerate(_CATEGORY_RULES.items()):
        score = 0.0
        found: list[str] = []
        if category is Category.MARKETING and set(restricted) - {Restricted.HATE}:
            # Restricted products are mostly named to sell them: half a clue towards marketing.
            score += 0.5
        for patterns, weight in rules:
            matches = [pattern.search(text) for pattern in patterns]
            if all(match is not None for match in matches):
                score += weight
                found.append(" … ".join(m.group(0).strip() for m in matches if m is not None))
        if score >= _THRESHOLD:
            scores.append((score, -order, category))
            evidence[str(category)] = tuple(found)
    categories = tuple(category for _, _, category in sorted(scores, reverse=True))
    return Recognition(
        categories=categories,
        restricted=tuple(restricted),
        shorteners=_shorteners(text),
        has_opt_out=_OPT_OUT.search(text) is not None,
        evidence=evidence,
    )


def _shorteners(text: str) -> tuple[str, ...]:
    hosts: list[str] = []
    for match in _HOST.finditer(text):
        host = match.group(1).lower()
        if host.startswith("www."):
            host = host[4:]
        if host in PUBLIC_SHORTENERS and host not in hosts:
            hosts.append(host)
    return tuple(hosts)


# ---------------------------------------------------------------------------------------------
# Findings


class Fit(StrEnum):
    """How a text fits a sender's registered use cases."""

    FITS = "fits"  # a registered use case covers what the text was recognised as
    NEUTRAL = "neutral"  # nothing to compare (plain conversation, toll-free, Mixed, not loaded)
    OUTSIDE = "outside"  # recognised as a category the campaign is not registered for


@dataclass(frozen=True, slots=True)
class ContentFinding:
    """One content warning, with a stable code, what to change and where the rule comes from."""

    code: str
    severity: Severity
    message: str
    fix: str
    link: str | None = None

    @property
    def blocks_sending(self) -> bool:
        return False  # content findings are advice: the user decides

    def text(self) -> str:
        return f"{self.message} {self.fix}".strip()

    def to_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "fix": self.fix,
        }


@dataclass(frozen=True, slots=True)
class ContentCheck:
    """The findings for one text from one sender, and how the text fits the sender's campaign.

    `matched` holds the registered use cases that cover the text (for "fits: Delivery updates");
    `would_fit` the use cases that would, when the text is outside the campaign.
    """

    recognition: Recognition
    fit: Fit
    matched: tuple[str, ...]
    would_fit: tuple[str, ...]
    findings: tuple[ContentFinding, ...]

    @property
    def fits(self) -> bool:
        return self.fit is not Fit.OUTSIDE

    def fit_note(self) -> str:
        """A few words for the picker: "fits: Delivery updates", "" when nothing to say."""
        if self.fit is Fit.FITS:
            return "fits: " + ", ".join(describe_use_case(code).title for code in self.matched)
        if self.fit is Fit.OUTSIDE:
            return "outside its use cases"
        return ""


def _titles(codes: tuple[str, ...] | list[str]) -> str:
    titles = [describe_use_case(code).title for code in codes]
    if len(titles) <= 1:
        return "".join(titles)
    return ", ".join(titles[:-1]) + " or " + titles[-1]


def _quoted(words: tuple[str, ...]) -> str:
    shown = [f"“{word}”" for word in words[:2]]
    return f" ({', '.join(shown)})" if shown else ""


def _compare(
    recognition: Recognition, use_cases: tuple[str, ...]
) -> tuple[Fit, tuple[str, ...], tuple[str, ...], list[Category]]:
    """Fit, matched use cases, use cases that would fit, and the categories left uncovered."""
    if not recognition.categories or not use_cases:
        return Fit.NEUTRAL, (), (), []
    registered = set(use_cases)
    matched: list[str] = []
    uncovered: list[Category] = []
    for category in recognition.categories:
        covering = [code for code in CATEGORY_USE_CASES[category] if code in registered]
        if covering:
            matched.extend(code for code in covering if code not in matched)
        else:
            uncovered.append(category)
    comparable = all(code in USE_CASES and code not in _NOT_COMPARABLE for code in use_cases)
    main_uncovered = recognition.categories[0] in uncovered
    if main_uncovered and comparable:
        would_fit = tuple(
            code for category in uncovered for code in CATEGORY_USE_CASES[category]
        )
        return Fit.OUTSIDE, tuple(matched), tuple(dict.fromkeys(would_fit)), uncovered
    if matched and not main_uncovered:
        return Fit.FITS, tuple(matched), (), []
    return Fit.NEUTRAL, tuple(matched), (), []


def check_content(
    text: str, verdict: Verdict | None = None, *, recognition: Recognition | None = None
) -> ContentCheck:
    """Every content finding for sending `text` from the number `verdict` is about.

    Without a verdict (or for a number whose campaign is not known) only the rules that do not
    depend on the sender apply: opt-out wording, shorteners and restricted content. Pass the
    text's `recognition` when checking one text against many senders (the picker does).
    """
    if recognition is None:
        recognition = recognise(text)
    toll_free = verdict is not None and is_toll_free(verdict.number)
    high_volume = verdict is not None and "A2PSmsSender" in verdict.number.features
    use_cases = tuple(verdict.use_cases) if verdict is not None and not toll_free else ()
    fit, matched, would_fit, uncovered = _compare(recognition, use_cases)
    findings: list[ContentFinding] = []

    if fit is Fit.OUTSIDE:
        what = " and ".join(category.words for category in uncovered)
        clues = recognition.evidence.get(str(uncovered[0]), ())
        findings.append(
            ContentFinding(
                CONTENT_OUTSIDE_USE_CASES,
                Severity.WARNING,
                f"This text reads like {what}{_quoted(clues)}, but this number's SMS campaign "
                f"is registered for {_titles(use_cases)}. Carriers may filter texts outside the "
                "campaign's use cases.",
                f"Use cases that would fit: {_titles(would_fit)}. Send it from a number "
                "registered for one of them, or keep the text to this campaign's uses.",
                LINK_CONTENT_POLICY,
            )
        )
    elif toll_free and recognition.categories:
        # Toll-free numbers pass toll-free verification instead of TCR registration (the guide's
        # "Enabling SMS on toll-free numbers", LINK_TOLL_FREE): no campaign use cases to compare.
        findings.append(
            ContentFinding(
                TOLL_FREE_NO_USE_CASES,
                Severity.INFO,
                "Toll-free numbers have no TCR campaign, so there are no registered use cases to "
                f"compare this text with (it reads like {recognition.categories[0].words}).",
                "Keep to what the number's toll-free verification described; the other content "
                "rules still apply.",
                LINK_TOLL_FREE,
            )
        )

    if Category.MARKETING in recognition.categories and not recognition.has_opt_out:
        # RingCentral's content policy and CTIA §4: promotional messages say how to opt out.
        if high_volume:
            extra = (" High Volume SMS records STOP replies for you, but the text should still "
                     "say how to opt out.")
        else:
            extra = (" From a regular or toll-free number RingCentral does not record opt-outs: "
                     "honour STOP replies yourself.")
        findings.append(
            ContentFinding(
                MARKETING_WITHOUT_OPT_OUT,
                Severity.WARNING,
                "This looks like marketing but does not say how to stop receiving messages."
                + extra,
                "Add opt-out wording such as “Reply STOP to opt out.”",
                LINK_CTIA,
            )
        )

    if recognition.shorteners:
        hosts = ", ".join(recognition.shorteners)
        findings.append(
            ContentFinding(
                PUBLIC_URL_SHORTENER,
                Severity.WARNING,
                f"The text links through a public URL shortener ({hosts}). Carriers commonly "
                "filter these links, because anyone can hide any address behind them.",
                "Use the full link on your own domain (or a branded short domain of your own).",
                LINK_CONTENT_POLICY,
            )
        )

    for kind in recognition.restricted:
        # CTIA §5 (SHAFT) and RingCentral's prohibited campaigns; 10DLC and toll-free alike.
        where = "toll-free" if toll_free else "10DLC"
        findings.append(
            ContentFinding(
                RESTRICTED_CONTENT,
                Severity.WARNING,
                f"The text mentions {kind.words}"
                f"{_quoted(recognition.evidence.get(str(kind), ()))}. Carriers restrict this "
                f"content on {where} numbers (the “SHAFT” categories: sex, hate, alcohol, "
                "firearms, tobacco), and may block the message or the number.",
                "Remove it, unless your campaign was approved for it with an age gate.",
                LINK_CTIA,
            )
        )

    return ContentCheck(
        recognition=recognition,
        fit=fit,
        matched=matched,
        would_fit=would_fit,
        findings=tuple(findings),
    )


def content_problems(text: str, verdict: Verdict) -> list[PreflightProblem]:
    """The content findings as pre-flight problems (never blocking), for `send`'s report."""
    return [
        PreflightProblem(
            finding.code, finding.severity, finding.message, finding.fix, Fixer.YOU, finding.link
        )
        for finding in check_content(text, verdict).findings
    ]


# ---------------------------------------------------------------------------------------------
# Suggest a sender: the user's numbers ordered by how well their campaign fits one text

_FIT_RANK = {Fit.FITS: 0, Fit.NEUTRAL: 1, Fit.OUTSIDE: 2}


@dataclass(frozen=True, slots=True)
class SenderFit:
    """One number judged for one text: can it send it at all (`refused` says why not), and how
    the text fits its campaign."""

    verdict: Verdict
    check: ContentCheck
    refused: PreflightProblem | None

    @property
    def fits(self) -> bool:
        """True when this number may send the text and it is not outside its use cases."""
        return self.refused is None and self.check.fits

    def to_json(self) -> dict[str, object]:
        """The `suggest-sender --format json` object of one number."""
        return {
            "phoneNumber": self.verdict.number.phone_number,
            "sms": str(self.verdict.sms),
            "fits": self.fits,
            "useCases": list(self.verdict.use_cases),
            "findings": [finding.to_json() for finding in self.check.findings],
        }


def sender_refusal(
    verdict: Verdict, recipients: Sequence[Recipient] = ()
) -> PreflightProblem | None:
    """Why pre-flight would refuse this sender (for `recipients`, when given).

    The text is left out on purpose: an empty or overlong text is refused from every number
    alike, so it says nothing about which number to pick (and measuring it once per number cost
    ~0.3 ms each, 300 ms for 1,000 numbers).
    """
    problems = preflight(verdict, recipients, "-")
    if not recipients:
        problems = [problem for problem in problems if problem.code != NO_RECIPIENTS]
    return blocking_reason(problems)


def judge_senders(
    text: str, verdicts: Sequence[Verdict], recipients: Sequence[Recipient] = ()
) -> list[SenderFit]:
    """Each number judged for `text`, in the order given.

    The text is read once, and checked once per kind of sender: the findings depend on a number
    only through its use cases, toll-free or not, and High Volume or not, which most numbers of
    an account share (one campaign for many numbers).
    """
    recognition = recognise(text)
    checks: dict[tuple[tuple[str, ...], bool, bool], ContentCheck] = {}
    judged: list[SenderFit] = []
    for verdict in verdicts:
        number = verdict.number
        key = (tuple(verdict.use_cases), is_toll_free(number), "A2PSmsSender" in number.features)
        check = checks.get(key)
        if check is None:
            check = checks[key] = check_content(text, verdict, recognition=recognition)
        judged.append(SenderFit(verdict, check, sender_refusal(verdict, recipients)))
    return judged


def suggested_positions(judged: Sequence[SenderFit]) -> list[int]:
    """Where each number goes in a picker that suggests senders for a text: numbers that would be
    refused keep their place; the others share the remaining places, fitting ones first (in
    their old order within each fit). `judged` is in picker order; result[i] is row i's place."""
    movable = [row for row, item in enumerate(judged) if item.refused is None]
    ordered = sorted(movable, key=lambda row: (_FIT_RANK[judged[row].check.fit], row))
    positions = list(range(len(judged)))
    for place, row in zip(movable, ordered, strict=True):
        positions[row] = place
    return positions


def rank_senders(
    text: str, verdicts: Sequence[Verdict], recipients: Sequence[Recipient] = ()
) -> list[SenderFit]:
    """Numbers that may send `text` first, those whose campaign fits it ahead of the rest;
    numbers that would be refused after them, in picker order (`sender_sort_key`)."""
    return sorted(
        judge_senders(text, verdicts, recipients),
        key=lambda item: (
            item.refused is not None,
            _FIT_RANK[item.check.fit] if item.refused is None else 0,
            sender_sort_key(item.verdict),
        ),
    )
