#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# bench/flame-frames.pl SVG - list the frames of a flame graph, from scorch
# or flamegraph.pl, one "name samples x y width" line each, sorted, so the
# two tools' graphs of the same input can be compared with diff.
use strict;
use warnings;

local $/;
my $svg = <>;
my @out;
while ($svg =~ m{<g\b([^>]*)>\s*<title>(.*?)</title>\s*<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"}gs) {
	my ($attrs, $title, $x, $y, $w) = ($1, $2, $3, $4, $5);
	my ($name, $samples);
	if ($attrs =~ /\bn="(\d+)"/) {	# scorch: name, then info lines
		($name) = split /&#10;|\n/, $title;
		$samples = $1;
	} elsif ($title =~ /^(.*) \(([\d,]+) \S+, [\d.]+%\)$/s) {
		($name, $samples) = ($1, $2);
		$samples =~ s/,//g;
	} else {
		next;
	}
	$name =~ s/_\[[kwij]\]$//;	# flamegraph.pl drops the annotation
	for ($name) {
		s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&#39;/'/g; s/&amp;/&/g;
	}
	$name = "all" if $name eq "";
	push @out, sprintf "%s %s %.1f %.1f %.1f", $name, $samples, $x, $y, $w;
}
print "$_\n" for sort @out;
