/*
 * Copyright 2026 The Gatehouse Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package dev.gatehouse.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The report's arithmetic and splicing, on a hand-made JMH result. */
class ReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static void add(ArrayNode results, String benchmark, String alg, double score, String unit, double bytes) {
        ObjectNode r = results.addObject();
        r.put("benchmark", "dev.gatehouse.bench." + benchmark);
        r.putObject("params").put("alg", alg);
        r.putObject("primaryMetric").put("score", score).put("scoreError", score / 10).put("scoreUnit", unit);
        r.putObject("secondaryMetrics").putObject("gc.alloc.rate.norm").put("score", bytes).put("scoreUnit", "B/op");
    }

    private static Report report() {
        ArrayNode results = JSON.createArrayNode();
        add(results, "VerifyBenchmark.rawJdk", "RS256", 40, "us/op", 100);
        add(results, "VerifyBenchmark.javaJwt", "RS256", 44, "us/op", 5000);
        add(results, "VerifyBenchmark.gatehouse", "RS256", 46, "us/op", 9000);
        add(results, "VerifyBenchmark.gatehouseCached", "RS256", 200, "ns/op", 120);
        add(results, "VerifyBenchmark.rawJdk", "HS256", 0.5, "us/op", 64);
        add(results, "VerifyBenchmark.gatehouseCached", "HS256", 0.6, "us/op", 120);
        return new Report(results);
    }

    @Test
    void scoresAreConvertedToMicrosecondsAndRatiosAreAgainstRawCrypto() {
        Report report = report();

        assertThat(report.score("VerifyBenchmark.gatehouseCached", "RS256").microsPerOp()).isEqualTo(0.2);
        String md = report.markdown(null);
        assertThat(md).contains("| RS256 | Gatehouse, request path, cache off | 46.00 | 4.60 | 9,000 | 1.15 |");
        assertThat(md).contains("| RS256 | Gatehouse, request path, cache hit | 0.200 | 0.020 | 120 | 0.005 |");
        assertThat(md).contains("| HS256 | Gatehouse, request path, cache hit | 0.600 | 0.060 | 120 | 1.20 |");
    }

    @Test
    void targetsAreJudgedFromTheFigures() {
        List<String[]> targets = report().targets();

        // 46 / 44 = 1.045 ≤ 1.05; 46 / 40 = 1.15 ≤ 1.25; 44 / 0.2 = 220 ≥ 20; 0.2 < 40; 0.6 > 0.5; ES256 missing
        assertThat(targets).extracting(t -> t[2]).containsExactly("yes", "yes", "yes", "yes", "n/a", "**no**");
        assertThat(targets.get(0)[1]).isEqualTo("1.045 × java-jwt");
        assertThat(targets.get(2)[1]).isEqualTo("220.0 × faster");
    }

    @Test
    void splicingNeedsBothMarkersAndKeepsWhatIsAround() {
        String doc = "intro\n" + Report.BEGIN + "\nstale\n" + Report.END + "\noutro\n";

        assertThat(Report.splice(doc, "NEW")).isEqualTo("intro\nNEW\noutro\n");
        assertThatThrownBy(() -> Report.splice("no markers", "NEW")).isInstanceOf(IllegalArgumentException.class);
    }
}
