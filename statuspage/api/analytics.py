"""Incident analytics (MTTR, MTTI, severity mix)."""
from __future__ import annotations

from ..schemas.analytics import AnalyticsArgs, AnalyticsSchema
from ..services import analytics
from .blueprint import bp
from .endpoint import endpoint


# Registered before /incidents/<id> for readers; the id converter never matches it anyway.
@bp.get("/incidents/analytics")
@endpoint("MTTR, mean time to identify, active and resolved counts, per-severity figures",
          args=AnalyticsArgs, response=AnalyticsSchema, errors=(401, 422), tags=("incidents",))
def incident_analytics(args):
    return AnalyticsSchema().dump(analytics.summary(args["window_days"]))
