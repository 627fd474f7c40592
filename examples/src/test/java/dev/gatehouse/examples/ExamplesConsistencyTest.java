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

package dev.gatehouse.examples;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The examples are what users copy, and the docs quote them: every example is a build of its own
 * on this version of Gatehouse, and every code block the docs say comes from an example is in it,
 * character for character. (The examples' own tests run in their own builds: maven-invoker-plugin.)
 */
class ExamplesConsistencyTest {
    /** In a Markdown file, {@code <!-- from examples/x/src/.../File.java -->} right before a fenced code block. */
    private static final Pattern QUOTE = Pattern.compile("<!-- from (examples/[^ ]+) -->\\s*\\n```[a-z]*\\n(.*?)\\n```", Pattern.DOTALL);

    private static final Path ROOT = Path.of(System.getProperty("gatehouse.root", "..")).toAbsolutePath().normalize();
    private static final Path EXAMPLES = ROOT.resolve("examples");

    private static List<Path> examples() throws IOException {
        try (Stream<Path> dirs = Files.list(EXAMPLES)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("pom.xml")))
                    .filter(d -> !d.getFileName().toString().equals("src") && !d.getFileName().toString().equals("target"))
                    .sorted().toList();
        }
    }

    @Test
    void everyExampleIsABuildOfItsOwnOnThisVersionThroughTheBom() throws Exception {
        List<Path> examples = examples();
        assertThat(examples).extracting(p -> p.getFileName().toString())
                .contains("spring-resource-server", "smallrye-jwt-resource-server");
        for (Path example : examples) {
            Element pom = parse(example.resolve("pom.xml")).getDocumentElement();
            String name = example.getFileName().toString();

            assertThat(children(pom, "parent")).as("%s must not inherit from a Gatehouse pom", name).isEmpty();
            assertThat(text(child(pom, "properties"), "gatehouse.version")).as("%s: gatehouse.version", name)
                    .isEqualTo(System.getProperty("gatehouse.version"));
            boolean importsBom = false;
            for (Element dependency : children(child(child(pom, "dependencyManagement"), "dependencies"), "dependency")) {
                if ("gatehouse-bom".equals(text(dependency, "artifactId"))) {
                    importsBom = "${gatehouse.version}".equals(text(dependency, "version"))
                            && "pom".equals(text(dependency, "type")) && "import".equals(text(dependency, "scope"));
                }
            }
            assertThat(importsBom).as("%s imports dev.gatehouse:gatehouse-bom:${gatehouse.version}", name).isTrue();
            for (Element dependency : children(child(pom, "dependencies"), "dependency")) {
                if ("dev.gatehouse".equals(text(dependency, "groupId"))) {
                    assertThat(text(dependency, "version")).as("%s: %s takes its version from the BOM", name,
                            text(dependency, "artifactId")).isNull();
                }
            }
        }
    }

    @Test
    void examplesReadmeNamesEveryExample() throws Exception {
        String readme = Files.readString(EXAMPLES.resolve("README.md"), StandardCharsets.UTF_8);
        for (Path example : examples()) {
            assertThat(readme).contains("(" + example.getFileName() + "/)");
        }
    }

    @Test
    void codeTheDocsQuoteFromAnExampleIsInItVerbatim() throws Exception {
        List<Path> markdown = new ArrayList<>();
        markdown.add(ROOT.resolve("README.md"));
        markdown.add(EXAMPLES.resolve("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(markdown::add);
        }
        int quotes = 0;
        for (Path doc : markdown) {
            Matcher m = QUOTE.matcher(Files.readString(doc, StandardCharsets.UTF_8));
            while (m.find()) {
                Path source = ROOT.resolve(m.group(1));
                assertThat(source).as("%s quotes %s", ROOT.relativize(doc), m.group(1)).isRegularFile();
                List<String> block = m.group(2).lines().toList();
                assertThat(containsVerbatim(Files.readAllLines(source, StandardCharsets.UTF_8), block))
                        .as("%s: this block is not in %s as written:%n%s", ROOT.relativize(doc), m.group(1), m.group(2))
                        .isTrue();
                quotes++;
            }
        }
        assertThat(quotes).as("quoted blocks found (docs/resource-servers.md has some)").isGreaterThanOrEqualTo(3);
    }

    @Test
    void theVerbatimCheckAllowsOnlyAUniformIndent() {
        List<String> source = List.of("class A {", "    void a() {", "        b();", "", "    }", "}");

        assertThat(containsVerbatim(source, List.of("void a() {", "    b();", "", "}"))).isTrue();
        assertThat(containsVerbatim(source, List.of("void a() {", "  b();", "", "}"))).isFalse();
        assertThat(containsVerbatim(source, List.of("void a() {", "    c();"))).isFalse();
    }

    /**
     * Whether {@code block} is a run of consecutive lines of {@code source}, every non-blank line
     * indented there by the same prefix of white space (a quote may drop the class's indentation).
     */
    static boolean containsVerbatim(List<String> source, List<String> block) {
        int first = 0;
        while (first < block.size() && block.get(first).isBlank()) {
            first++;
        }
        if (first == block.size()) {
            return false;
        }
        for (int start = 0; start + block.size() <= source.size(); start++) {
            String line = source.get(start + first);
            if (!line.endsWith(block.get(first)) || !line.substring(0, line.length() - block.get(first).length()).isBlank()) {
                continue;
            }
            String indent = line.substring(0, line.length() - block.get(first).length());
            boolean all = true;
            for (int i = 0; i < block.size() && all; i++) {
                String expected = block.get(i);
                String actual = source.get(start + i);
                all = expected.isBlank() ? actual.isBlank() : actual.equals(indent + expected);
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static Document parse(Path pom) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(pom.toFile());
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element element && element.getTagName().equals(name)) {
                out.add(element);
            }
        }
        return out;
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static String text(Element parent, String name) {
        Element element = child(parent, name);
        return element == null ? null : element.getTextContent().strip();
    }
}
