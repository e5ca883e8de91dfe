"""Every query that answers a user, in one place: the dashboard page's and the text
dashboard's tiles, charts and lists and the usage alerts' readings (marts.py, on the
published marts), the downloads (downloads.sql, table macros the published file carries),
and the activity report's rows (activity_report.sql, on the warehouse, where the whole
activity is).
"""

from pathlib import Path

FOLDER = Path(__file__).parent
