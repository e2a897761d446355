// UART receiver, 8N1, LSB first.
//
// The line is brought into the clock domain by a 2-flop synchroniser. A falling edge starts a
// frame; the start bit is re-checked half a bit later (a high line there was a glitch and is
// ignored), and from that point every bit, including the stop bit, is sampled once, in its middle,
// CLKS_PER_BIT clocks apart. A good stop bit delivers the byte as a one-cycle `rx_valid_o` strobe.
// A low stop bit is a framing error: the byte is dropped, `rx_frame_err_o` pulses for one cycle and
// the receiver waits for the line to return high (a break) before it hunts for the next start bit.
//
// CLKS_PER_BIT is the clock frequency divided by the baud rate (8 in simulation). It must be at
// least 4 so that the half-bit and whole-bit sampling points are distinct.

// Lint waiver: `verilator --lint-only -Wall` over the rtl/ files without --top-module makes every
// leaf module a top level module; that is how the leaf modules are linted, not a design issue.
/* verilator lint_off MULTITOP */
module uart_rx #(
  parameter int unsigned CLKS_PER_BIT = 8
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  // Serial line (asynchronous to clk_i; idles high)
  input  logic       rx_i,
  // Received bytes: rx_data_o is valid in the cycle rx_valid_o is high
  output logic [7:0] rx_data_o,
  output logic       rx_valid_o,
  // One-cycle strobe: a byte with a bad (low) stop bit was dropped
  output logic       rx_frame_err_o
);

  localparam int unsigned CntW = $clog2(CLKS_PER_BIT);
  localparam logic [CntW-1:0] BitLast = CntW'(CLKS_PER_BIT - 1);
  localparam logic [CntW-1:0] HalfLast = CntW'(CLKS_PER_BIT / 2 - 1);

  if (CLKS_PER_BIT < 4) begin : gen_param_check
    $error("uart_rx: CLKS_PER_BIT must be at least 4");
  end

  typedef enum logic [2:0] {
    StIdle,
    StStart,
    StData,
    StStop,
    StBreak
  } rx_state_e;

  rx_state_e       state_d, state_q;
  logic [1:0]      sync_q;
  logic [CntW-1:0] cnt_d, cnt_q;
  logic [2:0]      bit_d, bit_q;
  logic [7:0]      shift_d, shift_q;
  logic            valid_d, valid_q;
  logic            ferr_d, ferr_q;
  logic            rx_s;

  // 2-flop synchroniser; resets to the idle (high) line level.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sync_q <= 2'b11;
    end else begin
      sync_q <= {sync_q[0], rx_i};
    end
  end

  assign rx_s = sync_q[1];

  always_comb begin
    state_d = state_q;
    cnt_d   = cnt_q;
    bit_d   = bit_q;
    shift_d = shift_q;
    valid_d = 1'b0;
    ferr_d  = 1'b0;

    unique case (state_q)
      // Line idle: wait for the falling edge of a start bit.
      StIdle: begin
        if (!rx_s) begin
          state_d = StStart;
          cnt_d   = '0;
        end
      end

      // Middle of the start bit: still low means a real start bit, high was a glitch.
      StStart: begin
        if (cnt_q == HalfLast) begin
          cnt_d = '0;
          bit_d = 3'd0;
          state_d = rx_s ? StIdle : StData;
        end else begin
          cnt_d = cnt_q + 1'b1;
        end
      end

      // Sample the 8 data bits, LSB first, one bit time apart.
      StData: begin
        if (cnt_q == BitLast) begin
          cnt_d   = '0;
          shift_d = {rx_s, shift_q[7:1]};
          bit_d   = bit_q + 3'd1;
          if (bit_q == 3'd7) begin
            state_d = StStop;
          end
        end else begin
          cnt_d = cnt_q + 1'b1;
        end
      end

      // Middle of the stop bit: high delivers the byte, low drops it as a framing error.
      StStop: begin
        if (cnt_q == BitLast) begin
          cnt_d = '0;
          if (rx_s) begin
            valid_d = 1'b1;
            state_d = StIdle;
          end else begin
            ferr_d  = 1'b1;
            state_d = StBreak;
          end
        end else begin
          cnt_d = cnt_q + 1'b1;
        end
      end

      // After a framing error: wait for the line to go high before hunting again.
      StBreak: begin
        if (rx_s) begin
          state_d = StIdle;
        end
      end

      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      cnt_q   <= '0;
      bit_q   <= 3'd0;
      shift_q <= 8'h00;
      valid_q <= 1'b0;
      ferr_q  <= 1'b0;
    end else begin
      state_q <= state_d;
      cnt_q   <= cnt_d;
      bit_q   <= bit_d;
      shift_q <= shift_d;
      valid_q <= valid_d;
      ferr_q  <= ferr_d;
    end
  end

  assign rx_data_o      = shift_q;
  assign rx_valid_o     = valid_q;
  assign rx_frame_err_o = ferr_q;

endmodule
/* verilator lint_on MULTITOP */
