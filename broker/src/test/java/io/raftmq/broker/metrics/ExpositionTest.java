package io.raftmq.broker.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The strict exposition parser accepts a well-formed scrape and rejects each kind of malformed line. */
class ExpositionTest {
    private static final String GOOD = """
        # HELP a_total Things.
        # TYPE a_total counter
        a_total{code="0",x="q\\"\\\\\\n"} 3.0
        # TYPE g gauge
        g -1.5e3 1700000000000
        # HELP h_seconds Latency.
        # TYPE h_seconds histogram
        h_seconds_bucket{le="0.1"} 1
        h_seconds_bucket{le="+Inf"} 2
        h_seconds_count 2
        h_seconds_sum 0.7
        """;

    @Test
    void parsesAWellFormedScrape() {
        Exposition e = Exposition.parse(GOOD);
        assertThat(e.value("a_total", "code", "0", "x", "q\"\\\n")).isEqualTo(3.0);
        assertThat(e.value("g")).isEqualTo(-1500.0);
        assertThat(e.value("h_seconds_count")).isEqualTo(2.0);
        assertThat(e.type("h_seconds")).isEqualTo("histogram");
    }

    @Test
    void rejectsMalformedLines() {
        String[] bad = {
            "# TYPE g gauge\ng{a=\"1\" 1\n",             // unterminated labels
            "# TYPE g gauge\ng 1 2 3\n",                 // extra field
            "# TYPE g gauge\ng abc\n",                   // bad value
            "g 1\n",                                     // no TYPE
            "# TYPE h histogram\nh_total 1\n",           // not a histogram's sample
            "# TYPE g gauge\n\ng 1\n",                   // empty line
            "# TYPE g gauge\n# TYPE g gauge\ng 1\n",     // TYPE twice
            "# TYPE g gauge\ng 1",                       // no final newline
            "# TYPE g gauge\n# TYPE k gauge\ng 1\nk 1\ng 2\n", // family split
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n", // decreasing
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\nh_sum 1\n", // +Inf != count
            "# TYPE g gauge\ng{a=\"\\x\"} 1\n",          // bad escape
            "# TYPE g\n",                                // TYPE without a type
            "# HELP 1g x\n",                             // HELP with a bad name
        };
        for (String b : bad) {
            assertThatThrownBy(() -> Exposition.parse(b)).as(b).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
