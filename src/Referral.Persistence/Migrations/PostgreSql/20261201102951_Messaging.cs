using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Referral.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Messaging : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "inbox_message",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    BundleIdentifier = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Source = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    ReceivedTicks = table.Column<long>(type: "bigint", nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ResponseJson = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbox_message", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_message",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Destination = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    StreamKey = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    BundleIdentifier = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Payload = table.Column<string>(type: "text", nullable: false),
                    CreatedTicks = table.Column<long>(type: "bigint", nullable: false),
                    NextAttemptTicks = table.Column<long>(type: "bigint", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    DeliveredTicks = table.Column<long>(type: "bigint", nullable: true),
                    LastError = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbox_message", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_inbox_message_BundleIdentifier",
                table: "inbox_message",
                column: "BundleIdentifier",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_outbox_message_BundleIdentifier",
                table: "outbox_message",
                column: "BundleIdentifier",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_outbox_message_DeliveredTicks_NextAttemptTicks",
                table: "outbox_message",
                columns: new[] { "DeliveredTicks", "NextAttemptTicks" });

            migrationBuilder.CreateIndex(
                name: "IX_outbox_message_StreamKey_Id",
                table: "outbox_message",
                columns: new[] { "StreamKey", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "inbox_message");

            migrationBuilder.DropTable(
                name: "outbox_message");
        }
    }
}
