# Test oracle for cdeguard-version's differential tests: reads tab-separated RubyGems
# version pairs from stdin and prints, for each, how `Gem::Version#<=>` orders them
# (-1, 0 or 1), or `invalid` when Gem::Version rejects a version.
require 'rubygems'
out = $stdin.each_line.map do |line|
  a, b = line.chomp("\n").split("\t", -1)
  if Gem::Version.correct?(a) && Gem::Version.correct?(b)
    (Gem::Version.new(a) <=> Gem::Version.new(b)).to_s
  else
    'invalid'
  end
end
puts out
