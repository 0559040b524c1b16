// Test oracle for cdeguard-version's differential tests: reads tab-separated version
// pairs from stdin and prints, for each, the sign of Maven's own ComparableVersion
// comparison (-1, 0 or 1), one per line.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class MavenCompare {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(System.out);
        String line;
        while ((line = in.readLine()) != null) {
            int tab = line.indexOf('\t');
            int c = new ComparableVersion(line.substring(0, tab))
                .compareTo(new ComparableVersion(line.substring(tab + 1)));
            out.println(Integer.signum(c));
        }
        out.flush();
    }
}
