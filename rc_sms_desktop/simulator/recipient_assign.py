"""`bulkAssignSmsRecipients`: choose which extension texts from a call queue's, IVR's or site's
numbers (POST …/extension/{extensionId}/sms-recipients/bulk-assign, spec tag "Extensions").

The owning extension's numbers move their SMS features from the removed extension's list to the
added one's (the guide's ownership table: a shared number's SMS features go to exactly one
assigned extension). The demo account has the MessageThreads feature off, so each list takes at
most one id (BulkAssignSmsRecipientsRequest: "If the feature is disabled maxItems=1, otherwise 50").
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rc_sms_desktop.simulator.asgi import Request, Response
from rc_sms_desktop.simulator.error_bodies import (
    api_error,
    invalid_parameter,
    not_found,
    permission_required,
)
from rc_sms_desktop.simulator.registrations import missing_app_permission

if TYPE_CHECKING:
    from rc_sms_desktop.simulator.control import SimulatorControl

MAX_ITEMS_WITHOUT_THREADS = 1
SHARED_OWNER_TYPES = ("Department", "Site", "IvrMenu")
# SmsRecipientExtensionTypesEnum: the extension types that may hold a shared number's SMS.
RECIPIENT_TYPES = ("User", "DigitalUser", "ApplicationExtension")


def _control(request: Request) -> SimulatorControl:
    control: SimulatorControl = request.app.state.simulator
    return control


def _id_list(body: dict[str, object], name: str) -> list[str] | None:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.isdigit() for v in value):
        return None
    if len(value) > MAX_ITEMS_WITHOUT_THREADS or len(set(value)) != len(value):
        return None
    return [str(v) for v in value]


async def bulk_assign(request: Request) -> Response:
    control = _control(request)
    account = control.account
    if request.path_params["accountId"] not in ("~", str(account.id)):
        return not_found("accountId")
    denied = missing_app_permission(request, "EditExtensions")  # x-app-permission
    if denied is not None:
        return denied
    me = account.extension(request.state.session.owner_id)
    if me is None or not me.admin:
        # The spec names no x-user-permission; x-feature is EditExtensionInfo, which a plain
        # user has only for their own extension.
        return permission_required("EditExtensionInfo")
    raw = request.path_params["extensionId"]
    if not raw.isdigit():
        return invalid_parameter("extensionId")
    owner = account.extension(int(raw))
    if owner is None:
        return not_found("extensionId")
    if owner.type not in SHARED_OWNER_TYPES:
        return api_error(403, "CMN-403", "The feature is not available for this extension type")
    try:
        body = json.loads(await request.body())
    except ValueError:
        return api_error(400, "CMN-101", "Request body is not valid JSON")
    if not isinstance(body, dict):
        return invalid_parameter("addedExtensionIds")
    added = _id_list(body, "addedExtensionIds")
    if added is None:
        return invalid_parameter("addedExtensionIds")
    removed = _id_list(body, "removedExtensionIds")
    if removed is None:
        return invalid_parameter("removedExtensionIds")
    if not added and not removed:
        # "One of the parameters ('addedExtensionIds', 'removedExtensionIds') must be specified
        # and not empty" (BulkAssignSmsRecipientsRequest).
        return invalid_parameter("addedExtensionIds")
    for ext_id in added:
        ext = account.extension(int(ext_id))
        if ext is None or ext.type not in RECIPIENT_TYPES or ext.status != "Enabled":
            return api_error(400, "CMN-101", "Parameter [addedExtensionIds] value is invalid.",
                             parameterName="addedExtensionIds", parameterValue=ext_id)
    control.assign_requests += 1
    for number in account.numbers:
        if number.owner_id != owner.id:
            continue
        if number.sms_holder_id is not None and str(number.sms_holder_id) in removed:
            number.sms_holder_id = None
        if added:
            number.sms_holder_id = int(added[0])
    account.reindex()
    return Response(status_code=204)


