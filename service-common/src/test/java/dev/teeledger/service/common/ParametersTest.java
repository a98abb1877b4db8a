package dev.teeledger.service.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shared parameter parsing: what every service accepts, and the problems it answers otherwise. */
class ParametersTest {

    @Test
    void pagingDefaultsAndOffsets() {
        assertThat(PageRequest.parse(null, null)).isEqualTo(new PageRequest(0, 20));
        assertThat(PageRequest.parse("3", "100").offset()).isEqualTo(300);
        assertThat(PageRequest.of(0, 0)).isEqualTo(new PageRequest(0, 20));
        assertThat(PageRequest.parse(Integer.toString(PageRequest.MAX_PAGE), "100").offset())
                .isLessThanOrEqualTo(Integer.MAX_VALUE);
    }

    @ParameterizedTest(name = "page={0} size={1}")
    @CsvSource({"-1,5", "abc,5", "0,0", "0,101", "0,99999999999", "1e3,5", "0,' 5'", "21474837,5"})
    void rejectsBadPagingAs400(String page, String size) {
        assertThatThrownBy(() -> PageRequest.parse(page, size)).isInstanceOfSatisfying(ProblemException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.type()).isEqualTo("bad-paging");
        });
    }

    @Test
    void rejectsBadGrpcPaging() {
        assertThatThrownBy(() -> PageRequest.of(-1, 5)).isInstanceOf(ProblemException.class);
        assertThatThrownBy(() -> PageRequest.of(0, 101)).isInstanceOf(ProblemException.class);
        assertThatThrownBy(() -> PageRequest.of(Long.MAX_VALUE, 5)).isInstanceOf(ProblemException.class);
    }

    @Test
    void heightRanges() {
        assertThat(HeightRange.parse(null, null)).isEqualTo(HeightRange.ALL);
        assertThat(HeightRange.parse("5", "5")).isEqualTo(new HeightRange(5, 5));
        assertThat(HeightRange.of(3, 0)).isEqualTo(new HeightRange(3, Long.MAX_VALUE));
        for (String[] bad : List.of(new String[] {"9", "3"}, new String[] {"-1", null}, new String[] {"x", null},
                new String[] {null, "1.5"})) {
            assertThatThrownBy(() -> HeightRange.parse(bad[0], bad[1])).isInstanceOfSatisfying(ProblemException.class,
                    e -> assertThat(e.type()).isEqualTo("bad-range"));
        }
    }

    @Test
    void verifiedFlagAndEnumFilters() {
        assertThat(QueryParams.verified(null)).isFalse();
        assertThat(QueryParams.verified("false")).isFalse();
        assertThat(QueryParams.verified("true")).isTrue();
        assertThatThrownBy(() -> QueryParams.verified("TRUE")).isInstanceOf(ProblemException.class);
        assertThatThrownBy(() -> QueryParams.verified("1")).isInstanceOf(ProblemException.class);
        assertThat(QueryParams.enumFilter("state", "active", List.of("ACTIVE", "PENDING"))).isEqualTo("ACTIVE");
        assertThat(QueryParams.enumFilter("state", null, List.of("ACTIVE"))).isNull();
        assertThatThrownBy(() -> QueryParams.enumFilter("state", "gone", List.of("ACTIVE")))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.type()).isEqualTo("bad-filter"));
    }

    @Test
    void problemsBecomeGrpcStatuses() {
        StatusRuntimeException bad = GrpcProblems.toStatus(ProblemException.badRequest("bad-id", "id must be hex"));
        assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(bad.getStatus().getDescription()).isEqualTo("bad-id: id must be hex");
        assertThat(bad.getTrailers().get(GrpcProblems.PROBLEM_TYPE)).isEqualTo("bad-id");
        assertThat(GrpcProblems.toStatus(ProblemException.notFound("HSM", "ab")).getStatus().getCode())
                .isEqualTo(Status.Code.NOT_FOUND);
        StatusRuntimeException rejected = GrpcProblems.toStatus(new ProblemException(422, "transaction-rejected", "Unprocessable",
                "nonce", Map.of("code", 11)));
        assertThat(rejected.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(rejected.getTrailers().get(GrpcProblems.CHAIN_CODE)).isEqualTo("11");
        assertThat(GrpcProblems.code(503)).isEqualTo(Status.Code.UNAVAILABLE);
        assertThatThrownBy(() -> GrpcProblems.call(() -> {
            throw new IllegalStateException("secret internals");
        })).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
            assertThat(e.getStatus().getDescription()).doesNotContain("secret");
        });
    }
}
