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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves that the benchmarks still run: every benchmark of the suite, for every algorithm, once,
 * in this JVM, for 100 ms (the figures mean nothing; {@code bench/run.sh} measures). A setup
 * fails the run when any library refuses the shared token. The report generator then reads the
 * real JMH output.
 */
class BenchmarkSmokeTest {
    private static final List<String> VERIFY = List.of("gatehouse", "gatehouseCached", "javaJwt", "nimbus", "jjwt", "rawJdk");
    private static final List<String> ISSUE = List.of("gatehouse", "rawJdk");
    private static final List<String> ALGORITHMS = List.of("RS256", "ES256", "HS256");

    @Test
    void everyBenchmarkRunsOnceWithAPositiveScoreAndTheReportReadsTheResult(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("smoke.json");
        Options options = new OptionsBuilder()
                .include("dev\\.gatehouse\\.bench\\.(Verify|Issue)Benchmark\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString())
                .verbosity(VerboseMode.SILENT)
                .build();

        Collection<RunResult> results = new Runner(options).run();

        Map<String, Double> scores = new LinkedHashMap<>();
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            String name = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            scores.put(name + "/" + result.getParams().getParam("alg"), result.getPrimaryResult().getScore());
        }
        List<String> expected = new ArrayList<>();
        for (String alg : ALGORITHMS) {
            VERIFY.forEach(m -> expected.add("VerifyBenchmark." + m + "/" + alg));
            ISSUE.forEach(m -> expected.add("IssueBenchmark." + m + "/" + alg));
        }
        assertThat(scores.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(scores).allSatisfy((name, score) -> assertThat(score).as(name).isPositive().isFinite());

        Report report = Report.read(json);
        String markdown = report.markdown("performance.svg");
        for (String alg : ALGORITHMS) {
            for (String label : Report.VERIFIERS.values()) {
                assertThat(markdown).contains("| " + alg + " | " + label + " | ");
            }
            assertThat(report.score("VerifyBenchmark.gatehouse", alg).bytesPerOp()).isPositive(); // -prof gc was read
        }
        Path doc = dir.resolve("performance.md");
        Files.writeString(doc, "# Performance\n\n" + Report.BEGIN + "\nold\n" + Report.END + "\n\nafter\n");
        Report.main(new String[] {json.toString(), doc.toString(), dir.resolve("chart.dat").toString(), "performance.svg"});
        assertThat(Files.readString(doc)).startsWith("# Performance\n\n" + Report.BEGIN).endsWith(Report.END + "\n\nafter\n")
                .doesNotContain("\nold\n").contains("![Verification time per token, log scale](performance.svg)");
        assertThat(Files.readAllLines(dir.resolve("chart.dat"))).hasSize(1 + Report.ALGORITHMS.size());
    }
}
