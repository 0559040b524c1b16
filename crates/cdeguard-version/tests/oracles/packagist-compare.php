<?php
// Test oracle for cdeguard-version's differential tests: reads tab-separated Packagist
// version pairs from stdin and prints, for each, how PHP's version_compare orders them
// (-1, 0 or 1) after dropping one leading `v`/`V`, as Composer's normaliser does.
$strip = fn ($v) => preg_replace('/^[vV]/', '', $v);
while (($line = fgets(STDIN)) !== false) {
    [$a, $b] = explode("\t", rtrim($line, "\n"));
    echo version_compare($strip($a), $strip($b)), "\n";
}
