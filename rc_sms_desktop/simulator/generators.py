"""Larger demo accounts on demand, generated deterministically from indexes (no randomness).

`--user-numbers N` resizes the signed-in user's list to exactly N numbers across the demo mix;
`--account-numbers N --extensions M` grows the company for admin scans and benchmarks.
"""

from __future__ import annotations

from rc_sms_desktop.simulator.demo_account import (
    ALERTS,
    CARE,
    EVENTS_PENDING,
    EXPIRED,
    EXTENSION_ID_BASE,
    NUMBER_ID_BASE,
    NY_SITE,
    SALES,
    SF_SITE,
    SMS_MMS,
    SMS_MMS_INTL,
    SMS_ONLY,
    SUSPENDED,
    Account,
    Campaign,
    Extension,
    PhoneNumber,
)

# Area codes with a matching "City, ST"; generated lines use 555-1000 and up so they never collide
# with the curated 555-01xx demo lines.
AREAS: tuple[tuple[str, str], ...] = (
    ("650", "San Mateo, CA"), ("415", "San Francisco, CA"), ("212", "New York, NY"),
    ("408", "San Jose, CA"), ("510", "Oakland, CA"), ("312", "Chicago, IL"),
    ("617", "Boston, MA"), ("206", "Seattle, WA"), ("303", "Denver, CO"),
    ("512", "Austin, TX"), ("305", "Miami, FL"), ("404", "Atlanta, GA"),
    ("602", "Phoenix, AZ"), ("503", "Portland, OR"), ("612", "Minneapolis, MN"),
    ("215", "Philadelphia, PA"), ("702", "Las Vegas, NV"), ("619", "San Diego, CA"),
    ("213", "Los Angeles, CA"), ("214", "Dallas, TX"), ("713", "Houston, TX"),
    ("615", "Nashville, TN"), ("801", "Salt Lake City, UT"), ("919", "Raleigh, NC"),
    ("202", "Washington, DC"), ("313", "Detroit, MI"), ("314", "St. Louis, MO"),
    ("412", "Pittsburgh, PA"), ("503", "Salem, OR"), ("916", "Sacramento, CA"),
)
TOLL_FREE_PREFIXES = ("833", "844", "855", "866", "877", "888")
FIRST_NAMES = ("Jordan", "Maya", "Luis", "Grace", "Omar", "Hana", "Victor", "Chloe", "Ravi",
               "Elena", "Noah", "Aisha", "Tomás", "Ingrid", "Kenji", "Fatima", "Owen", "Zoe")
LAST_NAMES = ("Bennett", "Kowalski", "Haddad", "Lindqvist", "Moreau", "Tanaka", "Adeyemi",
              "Fischer", "Romero", "O'Brien", "Novak", "Sato", "Mensah", "Duarte", "Kim")

GENERATED_NUMBER_BASE = NUMBER_ID_BASE + 1000
GENERATED_EXTENSION_BASE = EXTENSION_ID_BASE + 10000

# Own-number templates, cycled for generated numbers: (label, payment, features, campaign, type).
_TEMPLATES: tuple[tuple[str, str, tuple[str, ...], Campaign | None, str], ...] = (
    ("Direct line", "Local", SMS_MMS_INTL, CARE, "VoiceFax"),
    ("Sales line", "Local", SMS_MMS, SALES, "VoiceFax"),
    ("Reminders", "Local", SMS_ONLY, ALERTS, "VoiceFax"),
    ("Toll-free", "TollFree", SMS_ONLY, None, "VoiceFax"),
    ("Events", "Local", SMS_MMS, EVENTS_PENDING, "VoiceFax"),
    ("Voice line", "Local", (), None, "VoiceFax"),
    ("Service desk", "Local", SMS_ONLY, SUSPENDED, "VoiceFax"),
    ("Promo line", "Local", SMS_ONLY, EXPIRED, "VoiceFax"),
    ("Notifications", "Local", ("A2PSmsSender",), None, "VoiceFax"),
    ("Fax", "Local", (), None, "FaxOnly"),
)


def _phone(k: int, payment: str) -> tuple[str, str | None]:
    if payment == "TollFree":
        prefix = TOLL_FREE_PREFIXES[k % len(TOLL_FREE_PREFIXES)]
        return f"+1{prefix}555{1000 + k // len(TOLL_FREE_PREFIXES) % 9000:04d}", None
    area, location = AREAS[k % len(AREAS)]
    # 30 areas × 9000 lines; beyond that the exchange moves off 555 to stay unique.
    line = 1000 + (k // len(AREAS)) % 9000
    exchange = 555 + (k // (len(AREAS) * 9000)) * 7
    return f"+1{area}{exchange}{line:04d}", location


def _generated_number(k: int, owner_id: int | None, holder_id: int | None, usage: str,
                      label: str | None = None) -> PhoneNumber:
    t_label, payment, features, campaign, num_type = _TEMPLATES[k % len(_TEMPLATES)]
    e164, location = _phone(k, payment)
    return PhoneNumber(
        id=GENERATED_NUMBER_BASE + k, phone_number=e164, usage_type=usage, payment_type=payment,
        owner_id=owner_id, label=label or f"{t_label} {k + 1}", location=location, type=num_type,
        sms_holder_id=holder_id if features else None, sms_features=features, campaign=campaign,
    )


def resize_user_numbers(account: Account, count: int, start: int = 0) -> int:
    """Make the signed-in user's list exactly `count` long; returns the next free generator index.

    Shrinking keeps the first numbers of the showcase order (so every case stays while there is
    room); growing adds direct numbers that cycle through the same mix.
    """
    user = account.signed_in
    visible = [number for number, _ in account.numbers_of(user.id)]
    # The curated showcase order decides which cases survive a shrink (the list is in id order).
    visible.sort(key=lambda n: _SHOWCASE_RANK.get(n.phone_number, 99))
    k = start
    if count <= len(visible):
        dropped = {n.id for n in visible[count:]}
        account.numbers = [n for n in account.numbers if n.id not in dropped]
    else:
        for _ in range(count - len(visible)):
            account.numbers.append(_generated_number(k, user.id, user.id, "DirectNumber"))
            k += 1
    account.reindex()
    return k


_SHOWCASE_RANK: dict[str, int] = {
    # The order in which cases survive when the list shrinks: the guide's main cases first.
    "+16505550101": 0, "+14155550102": 1, "+16505550105": 2, "+18335550104": 3,
    "+14155550109": 4, "+16505550113": 5, "+16505550100": 6, "+14155550114": 7,
    "+12125550103": 8, "+14155550106": 9, "+12125550107": 10, "+16505550108": 11,
    "+12125550111": 12, "+16505550112": 13, "+16505550110": 14, "+16505550117": 15,
    "+18885550118": 16, "+14155550115": 17, "+14155550116": 18, "+12125550119": 19,
}


def grow_account(account: Account, total_numbers: int | None, total_extensions: int | None,
                 start: int = 0, keep_user_list: bool = False) -> None:
    """Add generated extensions and numbers until the account has the requested totals.

    With `keep_user_list`, nothing generated reaches the signed-in user's list (no company
    numbers, nothing in the user's site), so `--user-numbers` stays exact.
    """
    new_exts: list[Extension] = []
    user_site = account.signed_in.site_id
    sites: list[int | None] = [None, SF_SITE, NY_SITE]
    if keep_user_list:
        sites = [site for site in sites if site != user_site]
    missing_exts = max(0, (total_extensions or 0) - len(account.extensions))
    users: list[int] = []
    for j in range(missing_exts):
        ext_id = GENERATED_EXTENSION_BASE + j
        number = str(4000 + j)
        if j % 400 == 21:
            ext = Extension(ext_id, number, f"Branch Office {j // 400 + 1}", "Site")
            sites.append(ext_id)
        elif j % 200 == 13:
            ext = Extension(ext_id, number, f"Branch Menu {j // 200 + 1}", "IvrMenu",
                            site_id=sites[j % len(sites)])
        elif j % 50 == 7:
            members = tuple(users[-3:])
            ext = Extension(ext_id, number, f"Team Queue {j // 50 + 1}", "Department",
                            members=members)
        else:
            first = FIRST_NAMES[j % len(FIRST_NAMES)]
            last = LAST_NAMES[(j // len(FIRST_NAMES)) % len(LAST_NAMES)]
            ext = Extension(ext_id, number, f"{first} {last}", "User", first, last,
                            f"{first.lower()}.{last.lower().replace(chr(39), '')}{j}@example.com",
                            site_id=sites[j % len(sites)])
            users.append(ext_id)
        new_exts.append(ext)
    account.extensions.extend(new_exts)
    owners = new_exts or [e for e in account.extensions if e.id != account.signed_in_id]
    if keep_user_list:
        me = account.signed_in_id
        owners = [e for e in owners
                  if (e.type == "User" and e.id != me)
                  or (e.type == "Department" and me not in e.members)
                  or (e.type == "Site" and e.id != user_site)
                  or (e.type == "IvrMenu" and e.site_id != user_site)]
    missing_numbers = max(0, (total_numbers or 0) - len(account.numbers))
    default_holder = users[0] if users else account.signed_in_id
    for i in range(missing_numbers):
        k = start + i
        if i % 500 == 250 and not keep_user_list:
            # A few company numbers, owned by the auto-receptionist; SMS with one user.
            account.numbers.append(_generated_number(k, None, default_holder, "CompanyNumber",
                                                     label=f"Company line {i // 500 + 1}"))
            continue
        owner = owners[i % len(owners)]
        if owner.type == "User":
            holder: int | None = owner.id
        elif owner.type == "Department":
            holder = owner.members[0] if owner.members else None
        else:
            holder = default_holder if i % 3 == 0 else None
        account.numbers.append(_generated_number(k, owner.id, holder, "DirectNumber"))
    account.reindex()


def scaled(account: Account, user_numbers: int | None, account_numbers: int | None,
           extensions: int | None) -> Account:
    """Apply the size options to a freshly built demo account (mutates and returns it)."""
    next_index = 0
    if user_numbers is not None:
        next_index = resize_user_numbers(account, user_numbers)
    if account_numbers is not None or extensions is not None:
        grow_account(account, account_numbers, extensions, start=next_index,
                     keep_user_list=user_numbers is not None)
    return account

