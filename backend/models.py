"""Import every model module so metadata (and Alembic) sees all tables."""

from backend.accounts import models as accounts  # noqa: F401
from backend.complaints import models as complaints  # noqa: F401
from backend.core import changes, events, history  # noqa: F401
from backend.credit import models as credit  # noqa: F401
from backend.devicefile import models as devicefile  # noqa: F401
from backend.devices import models as devices  # noqa: F401
from backend.evidence import models as evidence  # noqa: F401
from backend.hazards import models as hazards  # noqa: F401
from backend.inspections import models as inspections  # noqa: F401
from backend.jobs import models as jobs  # noqa: F401
from backend.maintenance import models as maintenance  # noqa: F401
from backend.measures import models as measures  # noqa: F401
from backend.notices import models as notices  # noqa: F401
from backend.notifications import models as notifications  # noqa: F401
from backend.org import models as org  # noqa: F401
from backend.photos import models as photos  # noqa: F401
from backend.plans import models as plans  # noqa: F401
from backend.reports import models as reports  # noqa: F401
from backend.sync import models as sync  # noqa: F401
