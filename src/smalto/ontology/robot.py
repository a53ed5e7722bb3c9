"""Built-in robot-state ontologies: joint states and battery state."""

from __future__ import annotations

from smalto.ontology.serializable import Serializable
from smalto.ontology.types import Float32, UInt8

__all__ = ["BatteryState", "RobotJoint"]


class RobotJoint(Serializable):
    """The state of a set of joints; the lists are parallel, one entry per named joint.

    Units follow the joint kind: revolute joints in rad, rad/s and N·m; prismatic joints in m,
    m/s and N. A list may be empty when the robot does not report that quantity.
    """

    __ontology_tag__ = "robot_joint"

    names: list[str]
    """Joint names."""
    positions: list[float]
    """Joint positions (rad or m)."""
    velocities: list[float]
    """Joint velocities (rad/s or m/s)."""
    efforts: list[float]
    """Joint efforts (N·m or N)."""


class BatteryState(Serializable):
    """The state of a battery (ROS ``sensor_msgs/BatteryState``); unknown values are None."""

    __ontology_tag__ = "battery_state"

    voltage: Float32 | None = None
    """Voltage (V)."""
    temperature: Float32 | None = None
    """Temperature (°C, as in ROS)."""
    current: Float32 | None = None
    """Current (A); negative while discharging."""
    charge: Float32 | None = None
    """Current charge (Ah)."""
    capacity: Float32 | None = None
    """Capacity when full (Ah)."""
    design_capacity: Float32 | None = None
    """Design capacity (Ah)."""
    percentage: Float32 | None = None
    """Charge fraction, 0 … 1."""
    power_supply_status: UInt8 | None = None
    """0 unknown, 1 charging, 2 discharging, 3 not charging, 4 full."""
    power_supply_health: UInt8 | None = None
    """0 unknown, 1 good, 2 overheat, 3 dead, 4 overvoltage, 5 unspecified failure, 6 cold,
    7 watchdog timer expired, 8 safety timer expired."""
    power_supply_technology: UInt8 | None = None
    """0 unknown, 1 NiMH, 2 Li-ion, 3 LiPo, 4 LiFe, 5 NiCd, 6 LiMn."""
    present: bool | None = None
    """Whether the battery is present."""
    location: str | None = None
    """Where the battery sits (e.g. slot name)."""
    serial_number: str | None = None
    """Serial number."""
    cell_voltage: list[Float32] | None = None
    """Voltage of each cell (V)."""
    cell_temperature: list[Float32] | None = None
    """Temperature of each cell (°C)."""
