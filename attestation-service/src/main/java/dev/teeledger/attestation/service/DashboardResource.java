package dev.teeledger.attestation.service;

import dev.teeledger.attestation.service.DashboardSnapshots.Snapshot;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * Backend of the dashboard page ({@code /dashboard/}): one JSON snapshot, and a server-sent
 * event stream that pushes a snapshot first and then whenever the indexed or chain height moves
 * (checked every {@link #TICK}). Snapshots are built by {@link DashboardSnapshots} on worker
 * threads (JDBC and chain RPC block); a closed connection cancels the client's ticks.
 */
@Path("/api/v1/dashboard")
public class DashboardResource {
    static final Duration TICK = Duration.ofSeconds(1);
    private final DashboardSnapshots snapshots;

    public DashboardResource(DashboardSnapshots snapshots) {
        this.snapshots = snapshots;
    }

    @GET
    @Path("/snapshot")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Chain height, HSMs, open and recent rounds, credit total against the cap, normalizations")
    public Snapshot snapshot() {
        return snapshots.current();
    }

    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Server-sent events: a snapshot now and whenever a height changes")
    public Multi<Snapshot> events() {
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(TICK)
                .onOverflow().drop()
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(tick -> snapshots.current())
                .skip().repetitions();
    }
}
