package dev.gatehouse.demo;

/** The WAR deployed as {@code webapps/ROOT.war}: the app at {@code /}. */
class TomcatRootWarIT extends TomcatWarContract {
    @Override
    String warName() {
        return "ROOT";
    }
}
