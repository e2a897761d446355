"""Opening VISA libraries and resources with errors that name the address.

`library` strings are pyvisa's (`""` the system VISA, `"bench.yaml@sim"` pyvisa-sim, `"@py"`
pyvisa-py) plus `"@model"`: the in-process device model of hil/instruments/model/, which pyvisa
cannot load by name (it would import a top-level `pyvisa_model` module), so it is handed to
`pyvisa.ResourceManager` as a ready `VisaLibraryBase` instance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyvisa
from pyvisa import constants
from pyvisa.errors import VisaIOError
from pyvisa.resources import MessageBasedResource

from hil.instruments.errors import InstrumentNotFound

if TYPE_CHECKING:
    from hil.instruments.bench import BenchConfig

MODEL_LIBRARY = "@model"


def resource_manager(library: str, bench: BenchConfig | None = None) -> pyvisa.ResourceManager:
    """A resource manager on `library`; `"@model"` needs the bench whose crossbar it simulates."""
    if library == MODEL_LIBRARY:
        if bench is None:
            raise InstrumentNotFound("the @model VISA library simulates a bench: give --bench")
        from hil.instruments.model.visa_library import model_resource_manager

        return model_resource_manager(bench)
    try:
        return pyvisa.ResourceManager(library)
    except (OSError, ValueError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InstrumentNotFound(
            f"cannot open the VISA library {library or '(system default)'}: {first}"
        ) from None


def list_resources(manager: pyvisa.ResourceManager) -> tuple[str, ...]:
    """The resources the library finds (empty rather than an error when there are none)."""
    try:
        return tuple(manager.list_resources())
    except VisaIOError as error:
        if error.error_code == constants.StatusCode.error_resource_not_found:
            return ()
        raise


def open_resource(
    manager: pyvisa.ResourceManager, address: str, timeout_ms: int
) -> MessageBasedResource:
    """A message-based session to `address` with LF terminations and the given timeout."""
    try:
        # Some backends (pyvisa-sim) report a missing resource only in the status of the
        # bare open, which pyvisa does not raise on: check it, then open for real.
        session, status = manager.open_bare_resource(address)
        if status < 0:
            raise VisaIOError(status)
        manager.visalib.close(session)
        resource = manager.open_resource(address)
    except VisaIOError as error:
        if error.error_code in (
            constants.StatusCode.error_resource_not_found,
            constants.StatusCode.error_invalid_resource_name,
        ):
            found = ", ".join(list_resources(manager)) or "none"
            raise InstrumentNotFound(
                f"no VISA resource {address} (this library finds: {found})"
            ) from None
        raise InstrumentNotFound(f"cannot open {address}: {error.description}") from None
    if not isinstance(resource, MessageBasedResource):
        resource.close()
        raise InstrumentNotFound(f"{address} is not a message-based (SCPI) instrument")
    resource.timeout = timeout_ms
    resource.read_termination = "\n"
    resource.write_termination = "\n"
    return resource
