"""The demo company: extensions, phone numbers, TCR campaigns, and who may use which number.

Ownership and feature assignment follow the guide's table (spec/sms-enablement-guide.md,
"Understanding Phone Number Ownership"; listAccountPhoneNumbers): a user owns its direct numbers with all their
features; company, call-queue, IVR and site numbers give `CallerId` to the extensions around them
and their SMS features to exactly one assigned extension.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

ACCOUNT_ID = 37439510
EXTENSION_ID_BASE = 62959250000
NUMBER_ID_BASE = 121554771300

SMS_FEATURES = ("SmsSender", "MmsSender", "InternationalSmsSender", "A2PSmsSender")
# The opted-out demo recipient: texts to it are accepted, then fail with SMS-RC-413 (https://developers.ringcentral.com/guide/messaging/sms/sms-requirements).
OPTED_OUT_RECIPIENT = "+16505550199"


@dataclass(slots=True)
class Extension:
    """One extension of the demo account (user, call queue, IVR or site)."""

    id: int
    extension_number: str
    name: str
    type: str  # AllExtensionTypesEnum: User, Department (call queue), IvrMenu, Site, ...
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    site_id: int | None = None  # the Site extension it sits under; None is the main site
    admin: bool = False
    members: tuple[int, ...] = ()  # call-queue members
    status: str = "Enabled"
    job_title: str | None = None
    # serviceFeatures this user's role switches off (readExtension; issue #13): e.g. a role
    # without business SMS gets SMS, MMS and InternationalSMS `enabled: false`.
    features_off: tuple[str, ...] = ()


@dataclass(slots=True, frozen=True)
class Campaign:
    """A TCR campaign with its brand, as `sms-configuration` reports them (smsConfigurationInfo)."""

    id: str
    external_id: str
    status: str  # CampaignStatusInfo
    registration_tier: str  # LowVolume / StandardVolume
    use_cases: tuple[str, ...]
    brand_id: str
    brand_external_id: str
    brand_status: str  # the guide's sample sends "Verified" (TcrBrandStatus), smsConfigurationInfo
    errors: tuple[tuple[str, str], ...] = ()  # (errorCode, message) in smsCampaignInfo.errors


@dataclass(slots=True)
class PhoneNumber:
    """One account number, its owner, and the extension that holds its SMS features."""

    id: int
    phone_number: str
    usage_type: str
    payment_type: str  # Local / TollFree
    owner_id: int | None  # None: a company number, owned by the auto-receptionist
    label: str | None = None
    location: str | None = None
    type: str = "VoiceFax"
    status: str = "Normal"
    primary: bool = False
    sms_holder_id: int | None = None
    sms_features: tuple[str, ...] = ()
    campaign: Campaign | None = None
    toll_free_verified: bool = True  # only meaningful for toll-free senders (SMS-CAR-461)
    temporary_number: str | None = None  # for numbers still being ported in (status Pending)
    country: str = "US"  # ISO code: US, CA or GB in the demo (see COUNTRIES)

    @property
    def is_toll_free(self) -> bool:
        return self.payment_type == "TollFree"


@dataclass
class _Index:
    own: dict[int, list[PhoneNumber]] = field(default_factory=dict)
    company: list[PhoneNumber] = field(default_factory=list)
    site: dict[int | None, list[PhoneNumber]] = field(default_factory=dict)
    queue: dict[int, list[PhoneNumber]] = field(default_factory=dict)
    held: dict[int, list[PhoneNumber]] = field(default_factory=dict)


@dataclass
class Account:
    """The whole simulated company, with lazily built per-extension number lists."""

    id: int
    company_name: str
    main_number: str
    extensions: list[Extension]
    numbers: list[PhoneNumber]
    signed_in_id: int
    _ext_by_id: dict[int, Extension] = field(default_factory=dict, repr=False)
    _number_by_id: dict[int, PhoneNumber] = field(default_factory=dict, repr=False)
    _number_by_e164: dict[str, PhoneNumber] = field(default_factory=dict, repr=False)
    _lists: dict[int, list[tuple[PhoneNumber, tuple[str, ...]]]] = field(
        default_factory=dict, repr=False
    )
    _index: _Index | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Rebuild the lookups after `extensions` or `numbers` changed."""
        self.numbers.sort(key=lambda n: n.id)
        self._ext_by_id = {ext.id: ext for ext in self.extensions}
        self._number_by_id = {n.id: n for n in self.numbers}
        self._number_by_e164 = {n.phone_number: n for n in self.numbers}
        self._lists = {}
        self._index = None

    @property
    def signed_in(self) -> Extension:
        return self._ext_by_id[self.signed_in_id]

    def extension(self, ext_id: int) -> Extension | None:
        return self._ext_by_id.get(ext_id)

    def number(self, number_id: int) -> PhoneNumber | None:
        return self._number_by_id.get(number_id)

    def number_by_e164(self, e164: str) -> PhoneNumber | None:
        return self._number_by_e164.get(e164)

    def _build_index(self) -> _Index:
        index = _Index()
        for number in self.numbers:
            owner = self._ext_by_id.get(number.owner_id) if number.owner_id is not None else None
            if number.owner_id is None:
                index.company.append(number)
            elif owner is None:
                continue
            elif owner.type == "Department":
                index.queue.setdefault(owner.id, []).append(number)
            elif owner.type in ("IvrMenu", "Site"):
                site = owner.id if owner.type == "Site" else owner.site_id
                index.site.setdefault(site, []).append(number)
            else:
                index.own.setdefault(owner.id, []).append(number)
            if number.sms_holder_id is not None and number.sms_holder_id != number.owner_id:
                index.held.setdefault(number.sms_holder_id, []).append(number)
        return index

    def numbers_of(self, ext_id: int) -> list[tuple[PhoneNumber, tuple[str, ...]]]:
        """The extension's own phone-number list with the features it has on each number."""
        cached = self._lists.get(ext_id)
        if cached is not None:
            return cached
        ext = self._ext_by_id.get(ext_id)
        if ext is None:
            return []
        if self._index is None:
            self._index = self._build_index()
        index = self._index
        candidates: list[PhoneNumber] = list(index.own.get(ext.id, ()))
        if ext.type == "Department":
            candidates += index.queue.get(ext.id, [])
        elif ext.type in ("IvrMenu", "Site"):
            site = ext.id if ext.type == "Site" else ext.site_id
            candidates += [n for n in index.site.get(site, []) if n.owner_id == ext.id]
        else:
            # CallerId of shared numbers goes to the extensions around them (guide's table).
            candidates += index.company
            candidates += index.site.get(ext.site_id, [])
            for queue_id, queue_numbers in index.queue.items():
                queue = self._ext_by_id.get(queue_id)
                if queue is not None and ext.id in queue.members:
                    candidates += queue_numbers
        candidates += index.held.get(ext.id, [])
        seen: set[int] = set()
        result: list[tuple[PhoneNumber, tuple[str, ...]]] = []
        for number in sorted(candidates, key=lambda n: n.id):
            if number.id in seen:
                continue
            seen.add(number.id)
            result.append((number, _features_for(number, ext)))
        self._lists[ext_id] = result
        return result

    def features_of(self, ext_id: int, number_id: int) -> tuple[str, ...] | None:
        """Features the extension has on the number, or None when it is not on its list."""
        for number, features in self.numbers_of(ext_id):
            if number.id == number_id:
                return features
        return None


def _features_for(number: PhoneNumber, ext: Extension) -> tuple[str, ...]:
    features: list[str] = []
    voice = number.type != "FaxOnly" and number.status == "Normal"
    if voice:
        features.append("CallerId")
    if number.sms_holder_id == ext.id and number.status == "Normal":
        features.extend(number.sms_features)
    return tuple(features)


# --- The curated demo company --------------------------------------------------------------

def _ext_id(n: int) -> int:
    return EXTENSION_ID_BASE + n


ALEX = _ext_id(101)
PRIYA = _ext_id(102)
MARCUS = _ext_id(103)
DANA = _ext_id(104)
SAM = _ext_id(105)
SUPPORT_QUEUE = _ext_id(200)
BILLING_QUEUE = _ext_id(210)
SF_MENU = _ext_id(300)
SF_SITE = _ext_id(2000)
NY_SITE = _ext_id(3000)

# Who `check --demo --demo-user NAME` and the window's `--demo-user NAME` sign in as (issue #13):
# Alex (an admin whose list shows every case) or Sam, whose role lacks business SMS.
DEMO_USERS = {"alex": ALEX, "sam": SAM}

# RingCentral's country dictionary entries for the demo's numbers (id, ISO code, name).
COUNTRIES = {"US": ("1", "United States"), "CA": ("39", "Canada"), "GB": ("224", "United Kingdom")}

# Stable ids and external ids, shared with the TCR endpoints (simulator/registrations.py, #17).
BRAND_VERIFIED = ("1008", "BG3LNOP", "Verified")
BRAND_UNVERIFIED = ("1009", "BK7QRST", "Unverified")
BRAND_SUBMITTED = ("1010", "BM2WXYZ", "Submitted")
BRAND_SUSPENDED = ("1011", "BN4PQRS", "Suspended")


def _campaign(
    cid: str, ext: str, status: str, tier: str, use_cases: Iterable[str],
    brand: tuple[str, str, str] = BRAND_VERIFIED, errors: tuple[tuple[str, str], ...] = (),
) -> Campaign:
    return Campaign(cid, ext, status, tier, tuple(use_cases), brand[0], brand[1], brand[2], errors)


CARE = _campaign("2008", "C8VLZXY", "Confirmed", "LowVolume",
                 ["CustomerCare", "AccountNotification", "DeliveryNotification"])
SALES = _campaign("2009", "C9MKWQA", "Confirmed", "StandardVolume",
                  ["Marketing", "ConversationsExternal", "Mixed"])
ALERTS = _campaign("2010", "CA2HTBN", "Confirmed", "LowVolume",
                   ["MachineToMachine", "SecurityAlert", "AccountNotification"])
EVENTS_PENDING = _campaign("2011", "CB4JRUE", "Submitted", "LowVolume", ["Marketing"])
REJECTED = _campaign("2012", "CC6PXDF", "SubmitFailed", "LowVolume", ["Mixed", "Marketing"],
                     errors=(("TCR-SAMPLE", "Sample messages do not show opt-out words."),))
SUSPENDED = _campaign("2013", "CD8ZLMG", "CampaignSuspended", "StandardVolume", ["CustomerCare"])
EXPIRED = _campaign("2014", "CE1NVCH", "CampaignExpired", "LowVolume", ["Marketing", "PollingVoting"])
UNVERIFIED = _campaign("2015", "CF3SYAJ", "Created", "LowVolume", ["ConversationsExternal"],
                       brand=BRAND_UNVERIFIED)
# The rest of the sms-configuration campaign statuses, and all 15 TCR use cases (issue #13).
UPDATING = _campaign("2016", "CG5UPDR", "UpdateRequested", "LowVolume",
                     ["ConversationsInternal", "HigherEducation"])
DELETING = _campaign("2017", "CH7DLRQ", "DeleteRequested", "LowVolume", ["K12Education"])
DRAFT = _campaign("2018", "CJ9DRFT", "Draft", "LowVolume", ["PublicServiceAnnouncement"],
                  brand=BRAND_SUBMITTED)
PREVET_FAILED = _campaign("2019", "CK2PVFL", "PreVetFailed", "LowVolume", ["FraudAlert"])
UNCONFIRMED = _campaign("2020", "CL4UNCF", "Unconfirmed", "LowVolume", ["Unknown"])
COMMUNITY = _campaign("2021", "CM6CMTY", "Confirmed", "StandardVolume",
                      ["PublicServiceAnnouncement", "PollingVoting"], brand=BRAND_SUSPENDED)

SMS_MMS_INTL = ("SmsSender", "MmsSender", "InternationalSmsSender")
SMS_MMS = ("SmsSender", "MmsSender")
SMS_ONLY = ("SmsSender",)


def _sites_and_people() -> list[Extension]:
    return [
        Extension(ALEX, "101", "Alex Rivera", "User", "Alex", "Rivera", "alex.rivera@example.com",
                  site_id=SF_SITE, admin=True, job_title="Operations Manager"),
        Extension(PRIYA, "102", "Priya Natarajan", "User", "Priya", "Natarajan",
                  "priya.natarajan@example.com", admin=True, job_title="Office Administrator"),
        Extension(MARCUS, "103", "Marcus Chen", "User", "Marcus", "Chen",
                  "marcus.chen@example.com", site_id=SF_SITE, job_title="Account Executive"),
        Extension(DANA, "104", "Dana Whitfield", "User", "Dana", "Whitfield",
                  "dana.whitfield@example.com", site_id=NY_SITE, job_title="Customer Success Lead"),
        Extension(SAM, "105", "Sam Okafor", "User", "Sam", "Okafor", "sam.okafor@example.com",
                  job_title="Billing Specialist",
                  features_off=("SMS", "MMS", "InternationalSMS")),
        Extension(SUPPORT_QUEUE, "200", "Support Queue", "Department",
                  members=(ALEX, PRIYA, MARCUS)),
        Extension(BILLING_QUEUE, "210", "Billing Queue", "Department", members=(PRIYA, SAM)),
        Extension(SF_MENU, "300", "SF Reception Menu", "IvrMenu", site_id=SF_SITE),
        Extension(SF_SITE, "2000", "San Francisco Office", "Site"),
        Extension(NY_SITE, "3000", "New York Office", "Site"),
    ]


def _n(k: int) -> int:
    return NUMBER_ID_BASE + k


def signed_in_user_numbers() -> list[PhoneNumber]:
    """Every case of the guide, as seen from the signed-in user's list, in showcase order."""
    return [
        PhoneNumber(_n(1), "+16505550101", "DirectNumber", "Local", ALEX, "Direct line",
                    "San Mateo, CA", primary=True, sms_holder_id=ALEX,
                    sms_features=SMS_MMS_INTL, campaign=CARE),
        PhoneNumber(_n(2), "+14155550102", "DirectNumber", "Local", ALEX, "Sales line",
                    "San Francisco, CA", sms_holder_id=ALEX, sms_features=SMS_MMS, campaign=SALES),
        PhoneNumber(_n(3), "+12125550103", "DirectNumber", "Local", ALEX, "Appointment reminders",
                    "New York, NY", sms_holder_id=ALEX, sms_features=SMS_ONLY, campaign=ALERTS),
        PhoneNumber(_n(4), "+18335550104", "DirectNumber", "TollFree", ALEX, "Toll-free support",
                    None, sms_holder_id=ALEX, sms_features=SMS_ONLY),
        PhoneNumber(_n(5), "+16505550105", "DirectNumber", "Local", ALEX, "Events (campaign pending)",
                    "San Mateo, CA", sms_holder_id=ALEX, sms_features=SMS_MMS,
                    campaign=EVENTS_PENDING),
        PhoneNumber(_n(6), "+14155550106", "DirectNumber", "Local", ALEX, "Promotions",
                    "San Francisco, CA", sms_holder_id=ALEX, sms_features=SMS_ONLY,
                    campaign=REJECTED),
        PhoneNumber(_n(7), "+12125550107", "DirectNumber", "Local", ALEX, "Service desk",
                    "New York, NY", sms_holder_id=ALEX, sms_features=SMS_ONLY, campaign=SUSPENDED),
        PhoneNumber(_n(8), "+16505550108", "DirectNumber", "Local", ALEX, "Spring promo 2025",
                    "San Mateo, CA", sms_holder_id=ALEX, sms_features=SMS_ONLY, campaign=EXPIRED),
        PhoneNumber(_n(9), "+14155550109", "DirectNumber", "Local", ALEX, "New line",
                    "San Francisco, CA"),
        # SMS features from before 10DLC registration, yet no campaign: sends are accepted and
        # then fail upstream (SMS-UP-414): the features alone do not make a number ready.
        PhoneNumber(_n(10), "+16505550110", "DirectNumber", "Local", ALEX, "Legacy texting line",
                    "Palo Alto, CA", sms_holder_id=ALEX, sms_features=SMS_MMS),
        PhoneNumber(_n(11), "+12125550111", "DirectNumber", "Local", ALEX, "Partner outreach",
                    "New York, NY", sms_holder_id=ALEX, sms_features=SMS_ONLY, campaign=UNVERIFIED),
        # A local High Volume number is a 10DLC number too: ready with its confirmed campaign.
        PhoneNumber(_n(12), "+16505550112", "DirectNumber", "Local", ALEX,
                    "Notifications (High Volume)", "San Mateo, CA", sms_holder_id=ALEX,
                    sms_features=("A2PSmsSender",), campaign=ALERTS),
        PhoneNumber(_n(13), "+16505550113", "DirectNumber", "Local", ALEX, "Fax", "San Mateo, CA",
                    type="FaxOnly"),
        PhoneNumber(_n(0), "+16505550100", "MainCompanyNumber", "Local", None, "Main number",
                    "San Mateo, CA", sms_holder_id=PRIYA, sms_features=SMS_MMS, campaign=CARE),
        PhoneNumber(_n(14), "+14155550114", "DirectNumber", "Local", SUPPORT_QUEUE, "Support",
                    "San Francisco, CA", sms_holder_id=ALEX, sms_features=SMS_MMS, campaign=CARE),
        PhoneNumber(_n(15), "+14155550115", "DirectNumber", "Local", SF_MENU, "SF reception",
                    "San Francisco, CA", sms_holder_id=MARCUS, sms_features=SMS_ONLY,
                    campaign=SALES),
        PhoneNumber(_n(16), "+14155550116", "DirectNumber", "Local", SF_SITE, "SF office",
                    "San Francisco, CA"),
        PhoneNumber(_n(17), "+16505550117", "DirectNumber", "Local", ALEX,
                    "Porting from previous carrier", "San Mateo, CA", status="Pending",
                    temporary_number="+16505550197"),
        # Not verified yet: RingCentral attaches SmsSender only once toll-free verification is
        # done (developers.ringcentral.com/guide/messaging/sms/sms-requirements), so the number
        # lists no SMS feature (toll-free-not-verified).
        PhoneNumber(_n(18), "+18885550118", "DirectNumber", "TollFree", ALEX,
                    "Toll-free (verification pending)", None, sms_holder_id=ALEX,
                    toll_free_verified=False),
        PhoneNumber(_n(19), "+12125550119", "CompanyNumber", "Local", None, "East coast line",
                    "New York, NY", sms_holder_id=ALEX, sms_features=SMS_ONLY, campaign=ALERTS),
        # Issue #13: every campaign status, brand status, country and kind the guide allows.
        PhoneNumber(_n(30), "+16505550130", "DirectNumber", "Local", ALEX, "Campus updates",
                    "San Mateo, CA", sms_holder_id=ALEX, sms_features=SMS_MMS, campaign=UPDATING),
        PhoneNumber(_n(31), "+14155550131", "DirectNumber", "Local", ALEX, "School line (closing)",
                    "San Francisco, CA", sms_holder_id=ALEX, sms_features=SMS_ONLY,
                    campaign=DELETING),
        PhoneNumber(_n(32), "+12125550132", "DirectNumber", "Local", ALEX, "Community notices",
                    "New York, NY", sms_holder_id=ALEX, sms_features=SMS_ONLY, campaign=DRAFT),
        PhoneNumber(_n(33), "+16505550133", "DirectNumber", "Local", ALEX, "Fraud alerts",
                    "San Mateo, CA", sms_holder_id=ALEX, sms_features=SMS_ONLY,
                    campaign=PREVET_FAILED),
        PhoneNumber(_n(34), "+14155550134", "DirectNumber", "Local", ALEX, "Pilot campaign",
                    "San Francisco, CA", sms_holder_id=ALEX, sms_features=SMS_ONLY,
                    campaign=UNCONFIRMED),
        PhoneNumber(_n(35), "+12125550135", "DirectNumber", "Local", ALEX, "Community alerts",
                    "New York, NY", sms_holder_id=ALEX, sms_features=SMS_MMS, campaign=COMMUNITY),
        PhoneNumber(_n(36), "+14165550136", "DirectNumber", "Local", ALEX, "Toronto office",
                    "Toronto, ON", sms_holder_id=ALEX, sms_features=SMS_MMS_INTL, campaign=CARE,
                    country="CA"),
        PhoneNumber(_n(37), "+442079460137", "DirectNumber", "Local", ALEX, "London office",
                    "London", sms_holder_id=ALEX, sms_features=SMS_MMS, country="GB"),
        PhoneNumber(_n(38), "+442079460138", "DirectNumber", "Local", ALEX,
                    "London notifications (High Volume)", "London", sms_holder_id=ALEX,
                    sms_features=("A2PSmsSender",), country="GB"),
        PhoneNumber(_n(39), "+16505550139", "DirectNumber", "Local", ALEX,
                    "Texting and High Volume", "San Mateo, CA", sms_holder_id=ALEX,
                    sms_features=("SmsSender", "MmsSender", "A2PSmsSender"), campaign=ALERTS),
        PhoneNumber(_n(40), "+16505550140", "ForwardedNumber", "External", ALEX,
                    "Forwarded mobile", None),
        PhoneNumber(_n(41), "+16505550141", "DirectNumber", "Local", ALEX, "Line being ported",
                    "San Mateo, CA", status="PortedIn"),
        PhoneNumber(_n(42), "+16505550142", "DirectNumber", "Local", ALEX, "Stand-in number",
                    "San Mateo, CA", status="Temporary"),
        PhoneNumber(_n(43), "+14155550143", "DirectNumber", "Local", SF_SITE, "SF office texting",
                    "San Francisco, CA", sms_holder_id=ALEX, sms_features=SMS_MMS, campaign=CARE),
        PhoneNumber(_n(44), "+14155550144", "CompanyNumber", "Local", None, "Support texting line",
                    "San Francisco, CA", sms_holder_id=SUPPORT_QUEUE, sms_features=SMS_ONLY,
                    campaign=CARE),
        PhoneNumber(_n(46), "+16505550146", "DirectNumber", "Local", ALEX,
                    "Bulk promotions (High Volume)", "San Mateo, CA", sms_holder_id=ALEX,
                    sms_features=("A2PSmsSender",), campaign=REJECTED),
    ]


def other_numbers() -> list[PhoneNumber]:
    """Numbers the signed-in user never sees on their own list (admin view only)."""
    return [
        PhoneNumber(_n(21), "+16505550121", "DirectNumber", "Local", PRIYA, "Direct line",
                    "San Mateo, CA", primary=True, sms_holder_id=PRIYA, sms_features=SMS_MMS,
                    campaign=CARE),
        PhoneNumber(_n(22), "+14155550122", "DirectNumber", "Local", MARCUS, "Direct line",
                    "San Francisco, CA", primary=True),
        PhoneNumber(_n(23), "+12125550123", "DirectNumber", "Local", DANA, "Direct line",
                    "New York, NY", primary=True, sms_holder_id=DANA, sms_features=SMS_ONLY,
                    campaign=ALERTS),
        PhoneNumber(_n(24), "+16505550124", "DirectNumber", "Local", SAM, "Direct line",
                    "San Mateo, CA", primary=True, sms_holder_id=SAM, sms_features=SMS_ONLY,
                    campaign=CARE),
        PhoneNumber(_n(25), "+16505550125", "DirectNumber", "Local", BILLING_QUEUE, "Billing",
                    "San Mateo, CA", sms_holder_id=PRIYA, sms_features=SMS_ONLY, campaign=CARE),
        PhoneNumber(_n(26), "+12125550126", "DirectNumber", "Local", NY_SITE, "NY office",
                    "New York, NY"),
        # A call queue's number whose SMS an admin gave to someone outside the queue.
        PhoneNumber(_n(45), "+16505550145", "DirectNumber", "Local", BILLING_QUEUE,
                    "Billing overflow", "San Mateo, CA", sms_holder_id=DANA,
                    sms_features=SMS_ONLY, campaign=CARE),
    ]


def build_demo_account(admin: bool = True, user: str = "alex") -> Account:
    """The curated demo company, signed in as Alex Rivera (an administrator unless told not), or
    as another of `DEMO_USERS` (Sam, whose role lacks business SMS)."""
    extensions = _sites_and_people()
    extensions[0].admin = admin
    numbers = signed_in_user_numbers() + other_numbers()
    if user not in DEMO_USERS:
        raise ValueError(f"demo user must be one of {', '.join(DEMO_USERS)}")
    return Account(ACCOUNT_ID, "Rivera & Chen Outfitters", "+16505550100", extensions, numbers,
                   signed_in_id=DEMO_USERS[user])
