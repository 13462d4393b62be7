namespace LicenseManager.Benchmarks;

public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        BenchmarkOptions options;
        try
        {
            if (args.Contains("--help") || args.Contains("-h"))
            {
                Console.WriteLine(BenchmarkOptions.Usage);
                return 0;
            }
            options = BenchmarkOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(BenchmarkOptions.Usage);
            return 2;
        }

        var report = await BenchmarkRun.RunAsync(options, Console.Out, string.Join(' ', args));
        Console.WriteLine();
        Console.WriteLine(report.ToTable());
        Console.WriteLine($"Results written to {Path.GetFullPath(options.OutputPath)}");
        return report.AllChecksPassed ? 0 : 1;
    }
}
