"""The simulator's foot: anatomical pressure blobs and their loads through stance.

Foot-model coordinates: x in mm from the heel's rearmost point along the anatomical foot
axis (heel centre to the midpoint of the 2nd and 3rd metatarsal heads), y in mm
perpendicular, medial positive. Every blob lies strictly inside one region (rearfoot
0-30 %, midfoot 30-60 %, forefoot 60-100 % of foot length), so region forces are sums of
blob loads, exactly. The analysis's foot axis is functional instead (heel pressure centre
to the metatarsal heads' pressure centre, docs/metrics.md); :func:`functional_axis` gives
it in these coordinates.

A blob's pressure is ``load * s(r) / integral(s)`` with the raised cosine
``s(r) = cos(pi r / 2) ** 2`` of the normalised elliptical radius ``r < 1``; its force is
therefore exactly its load and its centre of pressure its centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Blob",
    "FOOT_BLOBS",
    "REGION_OF_BLOB",
    "blob_geometry",
    "load_template",
    "bump",
    "RAISED_COSINE_INTEGRAL",
    "loaded_rear_edge_mm",
    "functional_axis",
]

#: Integral of cos(pi r / 2)^2 over the unit disk: pi/2 - 2/pi.
RAISED_COSINE_INTEGRAL = np.pi / 2 - 2 / np.pi


@dataclass(frozen=True)
class Blob:
    """One anatomical contact area, in fractions of foot length (x) and width (y)."""

    name: str
    region: str
    cx: float
    cy: float
    ax: float
    by: float


#: Heel, lateral midfoot, metatarsal heads 1 (medial) to 5 (lateral), hallux, lesser toes.
FOOT_BLOBS = (
    Blob("heel", "rearfoot", 0.125, 0.0, 0.125, 0.36),
    Blob("midfoot", "midfoot", 0.45, -0.20, 0.10, 0.17),
    Blob("mth1", "forefoot", 0.725, 0.27, 0.075, 0.17),
    Blob("mth2", "forefoot", 0.74, 0.09, 0.075, 0.17),
    Blob("mth3", "forefoot", 0.735, -0.09, 0.075, 0.16),
    Blob("mth4", "forefoot", 0.72, -0.24, 0.075, 0.15),
    Blob("mth5", "forefoot", 0.705, -0.37, 0.075, 0.13),
    Blob("hallux", "forefoot", 0.92, 0.25, 0.08, 0.15),
    Blob("toes", "forefoot", 0.885, -0.16, 0.05, 0.25),
)

#: Region of each blob, in FOOT_BLOBS order.
REGION_OF_BLOB = tuple(b.region for b in FOOT_BLOBS)

_HEEL = [b.name for b in FOOT_BLOBS].index("heel")
_METATARSAL_HEADS = np.array([b.name.startswith("mth") for b in FOOT_BLOBS])


def blob_geometry(foot_length_mm: float, foot_width_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """Centres ``(n, 2)`` and semi-axes ``(n, 2)`` of the blobs in foot coordinates, mm."""
    centres = np.array([[b.cx * foot_length_mm, b.cy * foot_width_mm] for b in FOOT_BLOBS])
    axes = np.array([[b.ax * foot_length_mm, b.by * foot_width_mm] for b in FOOT_BLOBS])
    return centres, axes


def functional_axis(impulses_n_s: np.ndarray, centres_mm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The functional foot axis: from the heel's pressure centre to the metatarsal heads'.

    A blob's centre of pressure is its centre, so over a stance the heel's pressure centre
    is the heel blob's centre and the metatarsal heads' is the centroid of the five MTH
    centres weighted by their impulses (load integrated over the stance).

    Parameters
    ----------
    impulses_n_s
        ``(n_blobs,)`` each blob's load integrated over the stance, N s.
    centres_mm
        ``(n_blobs, 2)`` from :func:`blob_geometry`.

    Returns
    -------
    heel_mm : numpy.ndarray
        ``(2,)`` the heel's pressure centre, foot-model coordinates.
    axis : numpy.ndarray
        ``(2,)`` unit vector from it towards the metatarsal heads' pressure centre.

    Examples
    --------
    >>> centres, _ = blob_geometry(265.0, 100.0)
    >>> impulses = np.zeros(len(FOOT_BLOBS))
    >>> impulses[3:5] = 1.0  # MTH2 and MTH3 alone: the anatomical axis
    >>> heel, axis = functional_axis(impulses, centres)
    >>> heel.round(3).tolist(), axis.round(4).tolist()
    ([33.125, 0.0], [1.0, 0.0])
    """
    weights = np.asarray(impulses_n_s, float)[_METATARSAL_HEADS]
    heel = centres_mm[_HEEL]
    metatarsal = weights @ centres_mm[_METATARSAL_HEADS] / weights.sum()
    axis = metatarsal - heel
    return heel, axis / np.linalg.norm(axis)


def loaded_rear_edge_mm(peak_loads_n: np.ndarray, centres_mm: np.ndarray, axes_mm: np.ndarray, *, axis: np.ndarray, threshold_kpa: float) -> float:
    """Rearmost point whose pressure ever exceeds ``threshold_kpa``, projected on ``axis``.

    A blob of peak load ``P`` has its peak pressure ``q = 1000 P / (a b integral(s))`` kPa at
    its centre and exceeds the threshold inside ``r < r_c`` with
    ``cos(pi r_c / 2) ** 2 = threshold / q``: an ellipse of semi-axes ``a r_c``, ``b r_c``,
    which reaches back along the unit ``axis`` ``(ux, uy)`` to
    ``c . axis - r_c sqrt((a ux)^2 + (b uy)^2)``. The heel and the lateral midfoot blob
    overlap no other blob and lie behind all others, so whenever one of them is loaded the
    rearmost loaded point of the foot is the rearmost of the blobs'. NaN when no blob ever
    exceeds the threshold.

    Parameters
    ----------
    peak_loads_n
        ``(n_blobs,)`` highest load of each blob over the step, N.
    centres_mm, axes_mm
        ``(n_blobs, 2)`` from :func:`blob_geometry`.
    axis
        ``(2,)`` unit vector in foot-model coordinates; the result is in mm along it from
        the foot-model origin.
    threshold_kpa
        Pressure a point must exceed to be loaded.

    Examples
    --------
    >>> centres, axes = blob_geometry(265.0, 100.0)
    >>> peaks = np.zeros(len(FOOT_BLOBS))
    >>> peaks[0] = 27.5  # a heel barely loaded (about 25 kPa at its centre)
    >>> round(loaded_rear_edge_mm(peaks, centres, axes, axis=np.array([1.0, 0.0]), threshold_kpa=5.0), 1)
    9.8
    """
    peak_kpa = 1000.0 * np.asarray(peak_loads_n, float) / (axes_mm[:, 0] * axes_mm[:, 1] * RAISED_COSINE_INTEGRAL)
    loaded = peak_kpa > threshold_kpa
    if not loaded.any():
        return float("nan")
    radius = (2.0 / np.pi) * np.arccos(np.sqrt(threshold_kpa / peak_kpa[loaded]))
    reach = np.hypot(axes_mm[loaded, 0] * axis[0], axes_mm[loaded, 1] * axis[1])
    return float(np.min(centres_mm[loaded] @ axis - reach * radius))


def bump(u: np.ndarray, start: float, peak: float, end: float) -> np.ndarray:
    """Smooth bump, 0 outside ``[start, end]``, 1 at ``peak``: sin^2 rise, cos^2 fall."""
    u = np.asarray(u, dtype=float)
    out = np.zeros_like(u)
    rise = (u >= start) & (u <= peak)
    fall = (u > peak) & (u <= end)
    if peak > start:
        out[rise] = np.sin(0.5 * np.pi * (u[rise] - start) / (peak - start)) ** 2
    if end > peak:
        out[fall] = np.cos(0.5 * np.pi * (u[fall] - peak) / (end - peak)) ** 2
    return out


# Lateral-to-medial loading of the metatarsal heads (De Cock et al. 2005): MTH5 first.
_MTH_SHARE = np.array([0.21, 0.24, 0.22, 0.18, 0.15])
_MTH_DELAY = np.array([0.04, 0.03, 0.02, 0.01, 0.0])


def load_template(u: np.ndarray, *, gait: str, strike: str) -> np.ndarray:
    """Blob loads ``(n_blobs, len(u))`` in body weights over stance phase ``u`` in [0, 1].

    ``gait`` is ``"run"`` or ``"walk"``; ``strike`` is ``"rearfoot"``, ``"midfoot"`` or
    ``"forefoot"`` (forefoot: the heel never carries 5 % of the peak force).
    """
    u = np.asarray(u, dtype=float)
    loads = np.zeros((len(FOOT_BLOBS), u.size))
    if gait == "walk":
        heel = 1.0 * bump(u, 0.0, 0.15, 0.55)
        midfoot = 0.12 * bump(u, 0.08, 0.35, 0.65)
        mth_start, mth_peak, mth_end, mth_total = 0.08, 0.78, 0.97, 0.85
        hallux = 0.22 * bump(u, 0.35, 0.82, 1.0)
        toes = 0.08 * bump(u, 0.35, 0.8, 0.98)
        if strike != "rearfoot":
            raise ValueError(f"walking supports a rearfoot strike only, got {strike!r}")
    elif gait == "run":
        if strike == "rearfoot":
            heel = 0.9 * bump(u, 0.0, 0.05, 0.12) + 0.9 * bump(u, 0.0, 0.14, 0.45)
            midfoot = 0.15 * bump(u, 0.05, 0.25, 0.5)
            mth_start = 0.05
        elif strike == "midfoot":
            heel = 0.55 * bump(u, 0.0, 0.12, 0.38)
            midfoot = 0.35 * bump(u, 0.0, 0.15, 0.45)
            mth_start = 0.0
        elif strike == "forefoot":
            heel = 0.04 * bump(u, 0.1, 0.3, 0.5)
            midfoot = 0.2 * bump(u, 0.1, 0.35, 0.6)
            mth_start = 0.0
        else:
            raise ValueError(f"strike must be rearfoot, midfoot or forefoot, got {strike!r}")
        mth_peak, mth_end, mth_total = 0.45, 0.93, 2.2
        hallux = 0.42 * bump(u, 0.3, 0.75, 1.0)
        toes = 0.14 * bump(u, 0.3, 0.7, 0.97)
    else:
        raise ValueError(f"gait must be 'run' or 'walk', got {gait!r}")
    loads[0] = heel
    loads[1] = midfoot
    for k in range(5):
        loads[2 + k] = mth_total * _MTH_SHARE[k] * bump(u, mth_start + _MTH_DELAY[k], mth_peak, mth_end)
    loads[7] = hallux
    loads[8] = toes
    return loads
