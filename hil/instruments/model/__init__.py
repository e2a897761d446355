"""A simulated bench for end-to-end tests: the device model behind the real pyvisa stack.

pyvisa-sim answers from static tables, so it cannot stand in for a memristor (its responses
cannot depend on earlier commands). `ModelVisaLibrary` is a pyvisa backend that answers the SCPI
of the bench's SMUs, matrix and pulse generator from `hil.device.CellArray`: the drivers and the
`visa:` backend run unchanged against it (select it with `library = "@model"` in a bench file).
"""

from hil.instruments.model.crossbar import ModelCrossbar
from hil.instruments.model.visa_library import ModelVisaLibrary, model_resource_manager

__all__ = ["ModelCrossbar", "ModelVisaLibrary", "model_resource_manager"]
