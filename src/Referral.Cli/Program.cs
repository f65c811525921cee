using Referral.Cli;

return await CliApp.RunAsync(args);
