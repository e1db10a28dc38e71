"""The REST paths the app calls, each with the OpenAPI operationId a maintainer can look up.

One home for the paths the loader, sending and the account scan share (they were declared twice).
`~` is RingCentral's "the signed-in account / extension" (https://developers.ringcentral.com/guide/basics/uris).
Rate-limit groups are not here: the client's scheduler finds them from the method and path
(api/rate_limits.py).
"""

from __future__ import annotations

from typing import Final

ACCOUNT: Final = "/restapi/v1.0/account/~"

# The signed-in extension (operationId readExtension).
MY_EXTENSION: Final = ACCOUNT + "/extension/~"
# Its own numbers with their `features` (listExtensionPhoneNumbers).
MY_NUMBERS: Final = MY_EXTENSION + "/phone-number"
# Send an SMS (createSMSMessage) or an MMS (createMMS); a sent message's status (readMessage).
SMS: Final = MY_EXTENSION + "/sms"
MMS: Final = MY_EXTENSION + "/mms"
_MESSAGE: Final = MY_EXTENSION + "/message-store/{id}"

# The whole account (admin): every number (listAccountPhoneNumbers), every extension
# (listExtensions).
ACCOUNT_NUMBERS: Final = ACCOUNT + "/phone-number"
EXTENSIONS: Final = ACCOUNT + "/extension"


def message(message_id: str) -> str:
    """A sent message in the message store (readMessage)."""
    return _MESSAGE.format(id=message_id)


def sms_configuration(number_id: str, extension_id: str = "~") -> str:
    """A number's SMS registration: brand, campaign, tier (smsConfigurationInfo)."""
    return f"{EXTENSIONS}/{extension_id}/phone-number/{number_id}/sms-configuration"


def extension_numbers(extension_id: str) -> str:
    """One extension's own numbers with their `features` (listExtensionPhoneNumbers)."""
    return f"{EXTENSIONS}/{extension_id}/phone-number"


def sms_recipients(extension_id: str) -> str:
    """Who texts for a call queue or site (getSmsRecipients; availability Limited)."""
    return f"{EXTENSIONS}/{extension_id}/sms-recipients"


# TCR registrations (spec tag "SMS Brands/Campaigns"): brands (listAllTcrBrands), one brand
# (findTcrBrandById), its campaigns (listAllTcrCampaigns), one campaign (findTcrCampaignById).
TCR_BRANDS: Final = ACCOUNT + "/sms-registration-brands"


def extension(extension_id: str) -> str:
    """One extension (readExtension)."""
    return f"{EXTENSIONS}/{extension_id}"


def tcr_campaigns(brand_id: str) -> str:
    """A brand's campaigns (listAllTcrCampaigns)."""
    return f"{TCR_BRANDS}/{brand_id}/campaigns"


def link_numbers(brand_id: str, campaign_id: str) -> str:
    """Link numbers to a campaign (linkNumbers; app permission EditAccounts)."""
    return f"{tcr_campaigns(brand_id)}/{campaign_id}/submit-phone-numbers"


def bulk_assign_sms_recipients(extension_id: str) -> str:
    """Choose who texts for a call queue, IVR or site (bulkAssignSmsRecipients; EditExtensions)."""
    return f"{sms_recipients(extension_id)}/bulk-assign"
