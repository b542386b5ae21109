"""What every app may use and which belongs to none: who acts, the base error, the
outermost transaction and the clock. Plain Python over Django; no models, and nothing from
the apps above it."""
