package dev.teeledger.protocol.gov;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teeledger.protocol.result.ResultCode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ParamTest {
    @Test
    void parsesOnlyCanonicalDecimals() {
        assertThat(Param.parseCanonical("0")).isZero();
        assertThat(Param.parseCanonical("65536")).isEqualTo(65536L);
        assertThat(Param.parseCanonical("-5")).isEqualTo(-5L);
        for (String bad : new String[] {"", "-", "007", "-0", "+5", "1e3", " 1", "99999999999999999999", "0x10"}) {
            assertThat(Param.parseCanonical(bad)).as(bad).isNull();
        }
    }

    @Test
    void defaultsLieInTheirRanges() {
        for (Param p : Param.values()) {
            assertThat(p.accepts(p.defaultValue())).as(p.id()).isTrue();
            assertThat(Param.byId(p.id())).isSameAs(p);
        }
    }

    @Test
    void resultCodesAreUnique() {
        Set<Integer> seen = new HashSet<>();
        for (ResultCode c : ResultCode.values()) {
            assertThat(seen.add(c.code())).as(c.name()).isTrue();
            assertThat(ResultCode.fromCode(c.code())).isSameAs(c);
        }
    }
}
