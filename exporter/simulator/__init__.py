"""A simulated Mist cloud: a seeded, evolving WAN fleet served over HTTP like Mist serves it."""

from __future__ import annotations

from exporter.simulator.app import Simulator
from exporter.simulator.config import FAULT_MODES, Fault, SimConfig, parse_fault
from exporter.simulator.flags import add_arguments
from exporter.simulator.server import RunningSimulator, run, serve
from exporter.simulator.truth import GroundTruth

__all__ = [
    "FAULT_MODES",
    "Fault",
    "GroundTruth",
    "RunningSimulator",
    "SimConfig",
    "Simulator",
    "add_arguments",
    "parse_fault",
    "run",
    "serve",
]
