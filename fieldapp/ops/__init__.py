"""Running the service: health and readiness for load balancers, request logging."""
