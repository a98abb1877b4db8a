package dev.teeledger.registry.service;

import dev.teeledger.registry.service.Views.Firmware;
import dev.teeledger.registry.service.Views.Hsm;
import dev.teeledger.registry.service.Views.Listing;
import dev.teeledger.registry.service.Views.Manufacturer;
import dev.teeledger.registry.service.Views.Page;
import dev.teeledger.service.common.Ids;
import dev.teeledger.service.common.PageRequest;
import dev.teeledger.service.common.ProblemException;
import dev.teeledger.service.common.QueryParams;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * The registry read endpoints ({@code /api/v1/manufacturers}, {@code /hsms}, {@code /firmware}).
 * Lists come from the read model; a single item comes from the read model, or with
 * {@code ?verified=true} from the chain through {@link VerifiedReads}. Query parameters are
 * taken as strings and validated with service-common's {@link PageRequest} and
 * {@link QueryParams}, so that a malformed value is a 400 problem rather than
 * the JAX-RS default 404.
 */
@Path("/api/v1")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
public class RegistryResource {
    static final Set<String> STATES = Set.of("PENDING", "ACTIVE", "SUSPENDED", "REVOKED");

    private final ReadModelStore store;
    private final VerifiedReads chain;

    public RegistryResource(ReadModelStore store, VerifiedReads chain) {
        this.store = store;
        this.chain = chain;
    }

    @GET
    @Path("/manufacturers")
    @Operation(summary = "All manufacturers in the read model, by id")
    public Listing<Manufacturer> manufacturers() {
        return new Listing<>(store.manufacturers(), store.indexedHeight());
    }

    @GET
    @Path("/manufacturers/{id}")
    @Operation(summary = "One manufacturer (id = SHA-256 of its root's SubjectPublicKeyInfo)")
    public Manufacturer manufacturer(@PathParam("id") String id, @QueryParam("verified") String verified) {
        String key = Ids.hex64("id", id);
        Optional<Manufacturer> found = verified(verified) ? chain.manufacturer(key) : store.manufacturer(key);
        return found.orElseThrow(() -> ProblemException.notFound("manufacturer", key));
    }

    @GET
    @Path("/hsms")
    @Operation(summary = "HSMs by id, paged, optionally filtered by state and manufacturer")
    public Page<Hsm> hsms(
            @Parameter(description = "PENDING, ACTIVE, SUSPENDED or REVOKED") @QueryParam("state") String state,
            @Parameter(description = "manufacturer id (64 hex digits)") @QueryParam("manufacturer") String manufacturer,
            @Parameter(description = "page number from 0") @QueryParam("page") String page,
            @Parameter(description = "page size 1-100, default 20") @QueryParam("size") String size) {
        String st = QueryParams.enumFilter("state", state, STATES);
        String mfr = manufacturer == null ? null : Ids.hex64("manufacturer", manufacturer);
        PageRequest p = PageRequest.parse(page, size);
        return store.hsms(st, mfr, p.page(), p.size());
    }

    @GET
    @Path("/hsms/{id}")
    @Operation(summary = "One HSM (id = SHA-256 of its EK's SubjectPublicKeyInfo)")
    public Hsm hsm(@PathParam("id") String id, @QueryParam("verified") String verified) {
        String key = Ids.hex64("id", id);
        Optional<Hsm> found = verified(verified) ? chain.hsm(key) : store.hsm(key);
        return found.orElseThrow(() -> ProblemException.notFound("HSM", key));
    }

    @GET
    @Path("/firmware")
    @Operation(summary = "The firmware allow-list, retired and expired entries included")
    public Listing<Firmware> firmware() {
        return new Listing<>(store.firmware(), store.indexedHeight());
    }

    @GET
    @Path("/firmware/{sha256}")
    @Operation(summary = "One allow-list entry")
    public Firmware firmware(@PathParam("sha256") String sha256, @QueryParam("verified") String verified) {
        String key = Ids.hex64("sha256", sha256);
        Optional<Firmware> found = verified(verified) ? chain.firmware(key) : store.firmware(key);
        return found.orElseThrow(() -> ProblemException.notFound("firmware", key));
    }

    private static boolean verified(String value) {
        return QueryParams.verified(value);
    }
}
