using Xunit;

// Each test runs two node processes on a 2-core machine: one at a time, so neither starves the other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
